{#- Named templates of the monolith chart. Component names are global across a chart
    tree, so each one carries the chart's name as a prefix (`-` spelled `_`). -#}

{#- The chart name, or nameOverride, cut to the 63 characters a DNS label allows. -#}
{% component monolith_name(@Values, @Chart) -%}
{{ Values.nameOverride | default(value=Chart.Name) | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent monolith_name %}

{#- The name of every object: fullnameOverride, else release-chart (just the release name when it
    already contains the chart name). -#}
{% component monolith_fullname(@Values, @Release, @Chart) -%}
{%- if Values.fullnameOverride -%}
{{ Values.fullnameOverride | trunc(n=63) | trimSuffix(suffix="-") }}
{%- else -%}
{%- set name = Values.nameOverride | default(value=Chart.Name) -%}
{%- if name in Release.Name -%}
{{ Release.Name | trunc(n=63) | trimSuffix(suffix="-") }}
{%- else -%}
{{ (Release.Name ~ "-" ~ name) | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endif -%}
{%- endif -%}
{%- endcomponent monolith_fullname %}

{#- chart-version, for the helm.sh/chart label. -#}
{% component monolith_chart(@Chart) -%}
{{ (Chart.Name ~ "-" ~ Chart.Version) | replace(from="+", to="_") | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent monolith_chart %}

{#- The labels that select this release's pods (never change them on upgrade). -#}
{% component monolith_selector_labels(@Values, @Release, @Chart) -%}
app.kubernetes.io/name: {{ include(name="monolith_name") }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- endcomponent monolith_selector_labels %}

{#- The standard labels of every object. -#}
{% component monolith_labels(@Values, @Release, @Chart) -%}
helm.sh/chart: {{ include(name="monolith_chart") }}
{{ include(name="monolith_selector_labels") }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endcomponent monolith_labels %}

{#- The labels the Service selects: the classic app label, secure=enabled behind the TLS proxy. -#}
{% component monolith_service_labels(@Values, @Release, @Chart) -%}
app: {{ include(name="monolith_name") }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- if Values.secure.enabled %}
secure: enabled
{%- endif %}
{%- endcomponent monolith_service_labels %}

{#- The Secret with the TLS certificate of the proxy. -#}
{% component monolith_tls_secret(@Values, @Release, @Chart) -%}
{{ Values.secure.tls.existingSecret | default(value=include(name="monolith_fullname") ~ "-tls-certs") }}
{%- endcomponent monolith_tls_secret %}

{#- proxy.conf of the nginx sidecar: TLS on 443, everything to the monolith on localhost. -#}
{% component monolith_proxy_conf(@Values) -%}
server {
  listen 443 ssl;
  ssl_certificate /etc/tls/cert.pem;
  ssl_certificate_key /etc/tls/key.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  location / {
    proxy_pass http://127.0.0.1:{{ Values.ports.http }};
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto https;
  }
}
{%- endcomponent monolith_proxy_conf %}
