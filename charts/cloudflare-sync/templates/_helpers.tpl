{#- Named templates of the cloudflare-sync chart. Component names are global across a chart
    tree, so each one carries the chart's name as a prefix (`-` spelled `_`). -#}

{#- The chart name, or nameOverride, cut to the 63 characters a DNS label allows. -#}
{% component cloudflare_sync_name(@Values, @Chart) -%}
{{ Values.nameOverride | default(value=Chart.Name) | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent cloudflare_sync_name %}

{#- The name of every object: fullnameOverride, else release-chart (just the release name when it
    already contains the chart name). -#}
{% component cloudflare_sync_fullname(@Values, @Release, @Chart) -%}
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
{%- endcomponent cloudflare_sync_fullname %}

{#- chart-version, for the helm.sh/chart label. -#}
{% component cloudflare_sync_chart(@Chart) -%}
{{ (Chart.Name ~ "-" ~ Chart.Version) | replace(from="+", to="_") | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent cloudflare_sync_chart %}

{#- The labels that select this release's pods (never change them on upgrade). -#}
{% component cloudflare_sync_selector_labels(@Values, @Release, @Chart) -%}
app.kubernetes.io/name: {{ include(name="cloudflare_sync_name") }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- endcomponent cloudflare_sync_selector_labels %}

{#- The standard labels of every object. -#}
{% component cloudflare_sync_labels(@Values, @Release, @Chart) -%}
helm.sh/chart: {{ include(name="cloudflare_sync_chart") }}
{{ include(name="cloudflare_sync_selector_labels") }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endcomponent cloudflare_sync_labels %}

{#- The ServiceAccount the pod runs as. -#}
{% component cloudflare_sync_service_account(@Values, @Release, @Chart) -%}
{%- if Values.serviceAccount.create -%}
{{ Values.serviceAccount.name | default(value=include(name="cloudflare_sync_fullname")) }}
{%- else -%}
{{ Values.serviceAccount.name | default(value="default") }}
{%- endif -%}
{%- endcomponent cloudflare_sync_service_account %}

{#- The Secret with the Cloudflare credentials: the existing one, or the one this chart creates. -#}
{% component cloudflare_sync_secret(@Values, @Release, @Chart) -%}
{{ Values.cloudflare.existingSecret | default(value=include(name="cloudflare_sync_fullname")) }}
{%- endcomponent cloudflare_sync_secret %}
