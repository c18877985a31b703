{#- Named templates of the kube-cert-manager chart. Component names are global across a chart
    tree, so each one carries the chart's name as a prefix (`-` spelled `_`). -#}

{#- The chart name, or nameOverride, cut to the 63 characters a DNS label allows. -#}
{% component kube_cert_manager_name(@Values, @Chart) -%}
{{ Values.nameOverride | default(value=Chart.Name) | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent kube_cert_manager_name %}

{#- The name of every object: fullnameOverride, else release-chart (just the release name when it
    already contains the chart name). -#}
{% component kube_cert_manager_fullname(@Values, @Release, @Chart) -%}
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
{%- endcomponent kube_cert_manager_fullname %}

{#- chart-version, for the helm.sh/chart label. -#}
{% component kube_cert_manager_chart(@Chart) -%}
{{ (Chart.Name ~ "-" ~ Chart.Version) | replace(from="+", to="_") | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent kube_cert_manager_chart %}

{#- The labels that select this release's pods (never change them on upgrade). -#}
{% component kube_cert_manager_selector_labels(@Values, @Release, @Chart) -%}
app.kubernetes.io/name: {{ include(name="kube_cert_manager_name") }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- endcomponent kube_cert_manager_selector_labels %}

{#- The standard labels of every object. -#}
{% component kube_cert_manager_labels(@Values, @Release, @Chart) -%}
helm.sh/chart: {{ include(name="kube_cert_manager_chart") }}
{{ include(name="kube_cert_manager_selector_labels") }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endcomponent kube_cert_manager_labels %}

{#- The base domain: global.domain (from an umbrella chart) wins over domain. -#}
{% component kube_cert_manager_domain(@Values) -%}
{{ Values.global?.domain | default(value=Values.domain) }}
{%- endcomponent kube_cert_manager_domain %}

{#- The ServiceAccount the controller runs as. -#}
{% component kube_cert_manager_service_account(@Values, @Release, @Chart) -%}
{%- if Values.serviceAccount.create -%}
{{ Values.serviceAccount.name | default(value=include(name="kube_cert_manager_fullname")) }}
{%- else -%}
{{ Values.serviceAccount.name | default(value="default") }}
{%- endif -%}
{%- endcomponent kube_cert_manager_service_account %}

{#- The Secret with the DNS provider's credentials, or nothing when there is none. -#}
{% component kube_cert_manager_dns_secret(@Values, @Release, @Chart) -%}
{%- if Values.dnsProvider.existingSecret -%}
{{ Values.dnsProvider.existingSecret }}
{%- elif Values.dnsProvider.credentials -%}
{{ include(name="kube_cert_manager_fullname") }}-dns
{%- endif -%}
{%- endcomponent kube_cert_manager_dns_secret %}
