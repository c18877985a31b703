{#- Named templates of the crystal-www-example chart. Component names are global across a chart
    tree, so each one carries the chart's name as a prefix (`-` spelled `_`). -#}

{#- The chart name, or nameOverride, cut to the 63 characters a DNS label allows. -#}
{% component crystal_www_example_name(@Values, @Chart) -%}
{{ Values.nameOverride | default(value=Chart.Name) | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent crystal_www_example_name %}

{#- The name of every object: fullnameOverride, else release-chart (just the release name when it
    already contains the chart name). -#}
{% component crystal_www_example_fullname(@Values, @Release, @Chart) -%}
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
{%- endcomponent crystal_www_example_fullname %}

{#- chart-version, for the helm.sh/chart label. -#}
{% component crystal_www_example_chart(@Chart) -%}
{{ (Chart.Name ~ "-" ~ Chart.Version) | replace(from="+", to="_") | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent crystal_www_example_chart %}

{#- The labels that select this release's pods (never change them on upgrade). -#}
{% component crystal_www_example_selector_labels(@Values, @Release, @Chart) -%}
app.kubernetes.io/name: {{ include(name="crystal_www_example_name") }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- endcomponent crystal_www_example_selector_labels %}

{#- The standard labels of every object. -#}
{% component crystal_www_example_labels(@Values, @Release, @Chart) -%}
helm.sh/chart: {{ include(name="crystal_www_example_chart") }}
{{ include(name="crystal_www_example_selector_labels") }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endcomponent crystal_www_example_labels %}

{#- The site's host name: subdomain.domain, where global.domain (from an umbrella chart) wins over
    domain. -#}
{% component crystal_www_example_host(@Values) -%}
{%- set domain = Values.global?.domain | default(value=Values.domain) -%}
{%- if Values.subdomain -%}
{{ Values.subdomain }}.{{ domain }}
{%- else -%}
{{ domain }}
{%- endif -%}
{%- endcomponent crystal_www_example_host %}
