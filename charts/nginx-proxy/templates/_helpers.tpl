{#- Named templates of the nginx-proxy chart. Component names are global across a chart
    tree, so each one carries the chart's name as a prefix (`-` spelled `_`). -#}

{#- The chart name, or nameOverride, cut to the 63 characters a DNS label allows. -#}
{% component nginx_proxy_name(@Values, @Chart) -%}
{{ Values.nameOverride | default(value=Chart.Name) | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent nginx_proxy_name %}

{#- The name of every object: fullnameOverride, else release-chart (just the release name when it
    already contains the chart name). -#}
{% component nginx_proxy_fullname(@Values, @Release, @Chart) -%}
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
{%- endcomponent nginx_proxy_fullname %}

{#- chart-version, for the helm.sh/chart label. -#}
{% component nginx_proxy_chart(@Chart) -%}
{{ (Chart.Name ~ "-" ~ Chart.Version) | replace(from="+", to="_") | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent nginx_proxy_chart %}

{#- The labels that select this release's pods (never change them on upgrade). -#}
{% component nginx_proxy_selector_labels(@Values, @Release, @Chart) -%}
app.kubernetes.io/name: {{ include(name="nginx_proxy_name") }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- endcomponent nginx_proxy_selector_labels %}

{#- The standard labels of every object. -#}
{% component nginx_proxy_labels(@Values, @Release, @Chart) -%}
helm.sh/chart: {{ include(name="nginx_proxy_chart") }}
{{ include(name="nginx_proxy_selector_labels") }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endcomponent nginx_proxy_labels %}

{#- The upstream Service's cluster DNS name. -#}
{% component nginx_proxy_upstream(@Values, @Release) -%}
{{ Values.upstream.service }}.{{ Values.upstream.namespace | default(value=Release.Namespace) }}.svc.{{ Values.clusterDomain }}:{{ Values.upstream.port }}
{%- endcomponent nginx_proxy_upstream %}

{#- nginx.conf: listen on the host port, answer /healthz itself, proxy everything else. -#}
{% component nginx_proxy_conf(@Values, @Release) -%}
worker_processes auto;
pid /tmp/nginx.pid;
events {
  worker_connections {{ Values.workerConnections }};
}
http {
  client_body_temp_path /tmp/client_temp;
  proxy_temp_path /tmp/proxy_temp;
  access_log /dev/stdout;
  error_log /dev/stderr warn;
  client_max_body_size {{ Values.clientMaxBodySize }};
  upstream backend {
    server {{ include(name="nginx_proxy_upstream") }};
  }
  server {
    listen {{ Values.hostPort }} default_server;
    location = /healthz {
      access_log off;
      return 200 "ok\n";
    }
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_read_timeout {{ Values.proxyReadTimeout }};
      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
{%- endcomponent nginx_proxy_conf %}
