{#- Named templates of the personal-cluster chart. Component names are global across a chart
    tree, so each one carries the chart's name as a prefix (`-` spelled `_`). -#}

{#- The chart name, or nameOverride, cut to the 63 characters a DNS label allows. -#}
{% component personal_cluster_name(@Values, @Chart) -%}
{{ Values.nameOverride | default(value=Chart.Name) | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent personal_cluster_name %}

{#- The name of every object: fullnameOverride, else release-chart (just the release name when it
    already contains the chart name). -#}
{% component personal_cluster_fullname(@Values, @Release, @Chart) -%}
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
{%- endcomponent personal_cluster_fullname %}

{#- chart-version, for the helm.sh/chart label. -#}
{% component personal_cluster_chart(@Chart) -%}
{{ (Chart.Name ~ "-" ~ Chart.Version) | replace(from="+", to="_") | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent personal_cluster_chart %}

{#- The labels that select this release's pods (never change them on upgrade). -#}
{% component personal_cluster_selector_labels(@Values, @Release, @Chart) -%}
app.kubernetes.io/name: {{ include(name="personal_cluster_name") }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- endcomponent personal_cluster_selector_labels %}

{#- The standard labels of every object. -#}
{% component personal_cluster_labels(@Values, @Release, @Chart) -%}
helm.sh/chart: {{ include(name="personal_cluster_chart") }}
{{ include(name="personal_cluster_selector_labels") }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endcomponent personal_cluster_labels %}

{#- One line per enabled application of the cluster, for NOTES. Each subchart's section of the
    values carries its defaults, so the host names are built as the subcharts build them. -#}
{% component personal_cluster_apps(@Values) -%}
{%- set domain = Values.global.domain -%}
{%- if Values.lobsters.enabled %}
{%- set app = Values.lobsters %}
  - Lobsters: http{% if app.tls.enabled %}s{% endif %}://{% if app.subdomain %}{{ app.subdomain }}.{% endif %}{{ domain }}/
{%- endif %}
{%- if Values["crystal-www-example"].enabled %}
{%- set app = Values["crystal-www-example"] %}
  - crystal-www-example: {% if app.subdomain %}{{ app.subdomain }}.{% endif %}{{ domain }} (Service port {{ app.port }}
    {%- if app.ingress.enabled %}, Ingress{% endif %})
{%- endif %}
{%- if Values["kube-cert-manager"].enabled %}
  - kube-cert-manager: issues the TLS Secrets of Certificate resources from Let's Encrypt
{%- endif %}
{%- endcomponent personal_cluster_apps %}
