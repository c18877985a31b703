{#- Named templates of the haproxy-lb chart. Component names are global across a chart
    tree, so each one carries the chart's name as a prefix (`-` spelled `_`). -#}

{#- The chart name, or nameOverride, cut to the 63 characters a DNS label allows. -#}
{% component haproxy_lb_name(@Values, @Chart) -%}
{{ Values.nameOverride | default(value=Chart.Name) | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent haproxy_lb_name %}

{#- The name of every object: fullnameOverride, else release-chart (just the release name when it
    already contains the chart name). -#}
{% component haproxy_lb_fullname(@Values, @Release, @Chart) -%}
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
{%- endcomponent haproxy_lb_fullname %}

{#- chart-version, for the helm.sh/chart label. -#}
{% component haproxy_lb_chart(@Chart) -%}
{{ (Chart.Name ~ "-" ~ Chart.Version) | replace(from="+", to="_") | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent haproxy_lb_chart %}

{#- The labels that select this release's pods (never change them on upgrade). -#}
{% component haproxy_lb_selector_labels(@Values, @Release, @Chart) -%}
app.kubernetes.io/name: {{ include(name="haproxy_lb_name") }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- endcomponent haproxy_lb_selector_labels %}

{#- The standard labels of every object. -#}
{% component haproxy_lb_labels(@Values, @Release, @Chart) -%}
helm.sh/chart: {{ include(name="haproxy_lb_chart") }}
{{ include(name="haproxy_lb_selector_labels") }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endcomponent haproxy_lb_labels %}

{#- The Secret holding tls.pem. -#}
{% component haproxy_lb_tls_secret(@Values, @Release, @Chart) -%}
{{ Values.tls.existingSecret | default(value=include(name="haproxy_lb_fullname") ~ "-tls") }}
{%- endcomponent haproxy_lb_tls_secret %}

{#- confd's data file: the keys the haproxy.cfg template reads, from values. -#}
{% component haproxy_lb_confd_data(@Values) -%}
haproxy:
  maxconn: {{ Values.maxconn | quote }}
  balance: {{ Values.balance | quote }}
  timeout:
    connect: {{ Values.timeouts.connect | quote }}
    client: {{ Values.timeouts.client | quote }}
    server: {{ Values.timeouts.server | quote }}
  ports:
    http: {{ Values.ports.http | quote }}
    https: {{ Values.ports.https | quote }}
    health: {{ Values.ports.health | quote }}
  tls:
    enabled: {{ Values.tls.enabled | quote }}
    redirect: {{ Values.tls.redirect | quote }}
  servers:
    {%- for name, address in Values.servers %}
    {{ name }}: {{ address | quote }}
    {%- endfor %}
{%- endcomponent haproxy_lb_confd_data %}

{#- The confd command line shared by the init container (one run) and the sidecar (polling). -#}
{% component haproxy_lb_confd_args(@Values, once=false) -%}
- -backend
- file
- -file
- /etc/confd/data/haproxy.yaml
- -confdir
- /etc/confd
{%- if once %}
- -onetime
{%- else %}
- -interval
- {{ Values.confd.interval | quote }}
{%- endif %}
{%- endcomponent haproxy_lb_confd_args %}
