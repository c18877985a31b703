{#- Named templates of the redis chart. Component names are global across a chart
    tree, so each one carries the chart's name as a prefix (`-` spelled `_`). -#}

{#- The chart name, or nameOverride, cut to the 63 characters a DNS label allows. -#}
{% component redis_name(@Values, @Chart) -%}
{{ Values.nameOverride | default(value=Chart.Name) | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent redis_name %}

{#- The name of every object: fullnameOverride, else release-chart (just the release name when it
    already contains the chart name). -#}
{% component redis_fullname(@Values, @Release, @Chart) -%}
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
{%- endcomponent redis_fullname %}

{#- chart-version, for the helm.sh/chart label. -#}
{% component redis_chart(@Chart) -%}
{{ (Chart.Name ~ "-" ~ Chart.Version) | replace(from="+", to="_") | trunc(n=63) | trimSuffix(suffix="-") }}
{%- endcomponent redis_chart %}

{#- The labels that select this release's pods (never change them on upgrade). -#}
{% component redis_selector_labels(@Values, @Release, @Chart) -%}
app.kubernetes.io/name: {{ include(name="redis_name") }}
app.kubernetes.io/instance: {{ Release.Name }}
{%- endcomponent redis_selector_labels %}

{#- The standard labels of every object. -#}
{% component redis_labels(@Values, @Release, @Chart) -%}
helm.sh/chart: {{ include(name="redis_chart") }}
{{ include(name="redis_selector_labels") }}
app.kubernetes.io/version: {{ Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ Release.Service }}
{%- endcomponent redis_labels %}

{#- The Secret holding redis-password. -#}
{% component redis_secret(@Values, @Release, @Chart) -%}
{{ Values.auth.existingSecret | default(value=include(name="redis_fullname")) }}
{%- endcomponent redis_secret %}

{#- The labels of one role's pods (master or replica): the selector labels plus the role. -#}
{% component redis_role_labels(@Values, @Release, @Chart, role) -%}
{{ include(name="redis_selector_labels") }}
app.kubernetes.io/component: {{ role }}
{%- endcomponent redis_role_labels %}

{#- Environment of every Redis container: the password for redis-server and redis-cli. -#}
{% component redis_auth_env(@Values, @Release, @Chart) -%}
{%- if Values.auth.enabled -%}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include(name="redis_secret") }}
      key: redis-password
# redis-cli (the probes) reads the password from here.
- name: REDISCLI_AUTH
  valueFrom:
    secretKeyRef:
      name: {{ include(name="redis_secret") }}
      key: redis-password
{%- endif -%}
{%- endcomponent redis_auth_env %}

{#- Probes of every Redis container: the port answers, and Redis answers PING. -#}
{% component redis_probes(@Values) -%}
livenessProbe:
  tcpSocket:
    port: redis
  {{- Values.probes.liveness | toYaml | nindent(n=2) }}
readinessProbe:
  exec:
    command: ["sh", "-c", "redis-cli -p {{ Values.port }} ping | grep -q PONG"]
  {{- Values.probes.readiness | toYaml | nindent(n=2) }}
{%- endcomponent redis_probes %}

{#- The name of one role's Service (-master, -replicas) within the 63 characters of a DNS label:
    the full name is shortened, never the suffix, so the two names stay distinct. -#}
{% component redis_service_name(@Values, @Release, @Chart, suffix) -%}
{{ include(name="redis_fullname") | trunc(n=62 - (suffix | length)) | trimSuffix(suffix="-") }}-{{ suffix }}
{%- endcomponent redis_service_name %}

{#- The Service of one role (`master` or `replica`, named -master or -replicas), ClusterIP or
    NodePort. -#}
{% component redis_service(@Values, @Release, @Chart, role, suffix, node_port) -%}
apiVersion: v1
kind: Service
metadata:
  name: {{ include(name="redis_service_name", suffix=suffix) }}
  labels:
    {{- include(name="redis_labels") | nindent(n=4) }}
    app.kubernetes.io/component: {{ role }}
spec:
  type: {{ Values.service.type }}
  selector:
    {{- include(name="redis_role_labels", role=role) | nindent(n=4) }}
  ports:
    - name: redis
      port: {{ Values.port }}
      targetPort: redis
      protocol: TCP
      {%- if Values.service.type == "NodePort" and node_port %}
      nodePort: {{ node_port }}
      {%- endif %}
{%- endcomponent redis_service %}
