{#- Named templates of the lobsters chart. Component names are global across a chart
    tree, so each one carries the chart's name as a prefix (`-` spelled `_`). -#}

{#- The chart name, or nameOverride, cut to the 63 characters a DNS label allows. -#}
{% component lobsters_name(@Values, @Chart) -%}
{{ Values.nameOverride | default(value=Chart.Name) | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent lobsters_name %}

{#- The name of every object: fullnameOverride, else release-chart (just the release name when it
    already contains the chart name). -#}
{% component lobsters_fullname(@Values, @Release, @Chart) -%}
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
{%- endcomponent lobsters_fullname %}

{#- chart-version, for the helm.sh/chart label. -#}
{% component lobsters_chart(@Chart) -%}
{{ (Chart.Name ~ "-" ~ Chart.Version) | replace(from="+", to="_") | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent lobsters_chart %}

{#- The labels that select this release's pods (never change them on upgrade). -#}
{% component lobsters_selector_labels(@Values, @Release, @Chart) -%}
app.kubernetes.io/name: {{ include(name="lobsters_name") }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- endcomponent lobsters_selector_labels %}

{#- The standard labels of every object. -#}
{% component lobsters_labels(@Values, @Release, @Chart) -%}
helm.sh/chart: {{ include(name="lobsters_chart") }}
{{ include(name="lobsters_selector_labels") }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endcomponent lobsters_labels %}

{#- The site's host name: subdomain.domain, where global.domain (from an umbrella chart) wins over
    domain. -#}
{% component lobsters_host(@Values) -%}
{%- set domain = Values.global?.domain | default(value=Values.domain) -%}
{%- if Values.subdomain -%}
{{ Values.subdomain }}.{{ domain }}
{%- else -%}
{{ domain }}
{%- endif -%}
{%- endcomponent lobsters_host %}

{#- The Secret holding the site's certificate (written by kube-cert-manager). -#}
{% component lobsters_tls_secret(@Values, @Release, @Chart) -%}
{{ Values.tls.secretName | default(value=include(name="lobsters_fullname") ~ "-tls") }}
{%- endcomponent lobsters_tls_secret %}

{#- The nginx configuration of the TLS sidecar: terminate TLS on 443, proxy to Puma on localhost. -#}
{% component lobsters_nginx_conf(@Values) -%}
worker_processes 1;
pid /tmp/nginx.pid;
events {
  worker_connections 1024;
}
http {
  client_body_temp_path /tmp/client_temp;
  proxy_temp_path /tmp/proxy_temp;
  access_log /dev/stdout;
  error_log /dev/stderr warn;
  client_max_body_size 10m;
  server {
    listen 443 ssl;
    server_name {{ include(name="lobsters_host") }};
    ssl_certificate /etc/nginx/tls/tls.crt;
    ssl_certificate_key /etc/nginx/tls/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {
      proxy_pass http://127.0.0.1:{{ Values.rails.port }};
      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
    }
  }
}
{%- endcomponent lobsters_nginx_conf %}
