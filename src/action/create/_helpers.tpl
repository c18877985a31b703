{#
Named templates of the chart. Each is a component: it lists the top-level names it reads
(@Values, @Release, @Chart), which include() fills from the caller.
#}

{#
Expand the name of the chart.
#}
{% component <CHARTIDENT>_name(@Values, @Chart) -%}
{{- Values.nameOverride | default(value=Chart.Name) | trunc(n=63) | trimSuffix(suffix="-") -}}
{%- endcomponent <CHARTIDENT>_name %}

{#
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
#}
{% component <CHARTIDENT>_fullname(@Values, @Release, @Chart) -%}
{%- if Values.fullnameOverride -%}
{{- Values.fullnameOverride | trunc(n=63) | trimSuffix(suffix="-") -}}
{%- else -%}
{%- set name = Values.nameOverride | default(value=Chart.Name) -%}
{%- if name in Release.Name -%}
{{- Release.Name | trunc(n=63) | trimSuffix(suffix="-") -}}
{%- else -%}
{{- (Release.Name ~ "-" ~ name) | trunc(n=63) | trimSuffix(suffix="-") -}}
{%- endif -%}
{%- endif -%}
{%- endcomponent <CHARTIDENT>_fullname %}

{#
Create chart name and version as used by the chart label.
#}
{% component <CHARTIDENT>_chart(@Chart) -%}
{{- (Chart.Name ~ "-" ~ Chart.Version) | replace(from="+", to="_") | trunc(n=63) | trimSuffix(suffix="-") -}}
{%- endcomponent <CHARTIDENT>_chart %}

{#
Common labels
#}
{% component <CHARTIDENT>_labels(@Values, @Release, @Chart) -%}
helm.sh/chart: {{ include(name="<CHARTIDENT>_chart") }}
{{ include(name="<CHARTIDENT>_selectorLabels") }}
{%- if Chart.AppVersion %}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
{%- endif %}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endcomponent <CHARTIDENT>_labels %}

{#
Selector labels
#}
{% component <CHARTIDENT>_selectorLabels(@Values, @Release, @Chart) -%}
app.kubernetes.io/name: {{ include(name="<CHARTIDENT>_name") }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- endcomponent <CHARTIDENT>_selectorLabels %}

{#
Create the name of the service account to use
#}
{% component <CHARTIDENT>_serviceAccountName(@Values, @Release, @Chart) -%}
{%- if Values.serviceAccount.create -%}
{{- Values.serviceAccount.name | default(value=include(name="<CHARTIDENT>_fullname")) -}}
{%- else -%}
{{- Values.serviceAccount.name | default(value="default") -}}
{%- endif -%}
{%- endcomponent <CHARTIDENT>_serviceAccountName %}
