{#- Named templates of the nginx chart. Component names are global across a chart
    tree, so each one carries the chart's name as a prefix (`-` spelled `_`). -#}

{#- The chart name, or nameOverride, cut to the 63 characters a DNS label allows. -#}
{% component nginx_name(@Values, @Chart) -%}
{{ Values.nameOverride | default(value=Chart.Name) | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent nginx_name %}

{#- The name of every object: fullnameOverride, else release-chart (just the release name when it
    already contains the chart name). -#}
{% component nginx_fullname(@Values, @Release, @Chart) -%}
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
{%- endcomponent nginx_fullname %}

{#- chart-version, for the helm.sh/chart label. -#}
{% component nginx_chart(@Chart) -%}
{{ (Chart.Name ~ "-" ~ Chart.Version) | replace(from="+", to="_") | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent nginx_chart %}

{#- The labels that select this release's pods (never change them on upgrade). -#}
{% component nginx_selector_labels(@Values, @Release, @Chart) -%}
app.kubernetes.io/name: {{ include(name="nginx_name") }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- endcomponent nginx_selector_labels %}

{#- The standard labels of every object. -#}
{% component nginx_labels(@Values, @Release, @Chart) -%}
helm.sh/chart: {{ include(name="nginx_chart") }}
{{ include(name="nginx_selector_labels") }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endcomponent nginx_labels %}

{#- The pod template, shared by the Deployment and the ReplicationController. -#}
{% component nginx_pod_template(@Values, @Release, @Chart) -%}
metadata:
  labels:
    {{- include(name="nginx_selector_labels") | nindent(n=4) }}
spec:
  {%- if Values.imagePullSecrets %}
  imagePullSecrets:
    {{- Values.imagePullSecrets | toYaml | nindent(n=4) }}
  {%- endif %}
  containers:
    - name: nginx
      image: "{{ Values.image.repository }}:{{ Values.image.tag | default(value=Chart.AppVersion) }}"
      imagePullPolicy: {{ Values.image.pullPolicy }}
      ports:
        - name: http
          containerPort: {{ Values.containerPort }}
          protocol: TCP
      livenessProbe:
        httpGet:
          path: /
          port: http
        {{- Values.probes.liveness | toYaml | nindent(n=8) }}
      readinessProbe:
        httpGet:
          path: /
          port: http
        {{- Values.probes.readiness | toYaml | nindent(n=8) }}
      resources:
        {{- Values.resources | toYaml | nindent(n=8) }}
  {%- if Values.nodeSelector %}
  nodeSelector:
    {{- Values.nodeSelector | toYaml | nindent(n=4) }}
  {%- endif %}
  {%- if Values.affinity %}
  affinity:
    {{- Values.affinity | toYaml | nindent(n=4) }}
  {%- endif %}
  {%- if Values.tolerations %}
  tolerations:
    {{- Values.tolerations | toYaml | nindent(n=4) }}
  {%- endif %}
{%- endcomponent nginx_pod_template %}
