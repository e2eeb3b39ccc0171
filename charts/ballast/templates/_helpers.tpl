{{/*
Expand the name of the chart.
*/}}
{{- define "ballast.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
*/}}
{{- define "ballast.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "ballast.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "ballast.labels" -}}
helm.sh/chart: {{ include "ballast.chart" . }}
{{ include "ballast.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels
*/}}
{{- define "ballast.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ballast.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of the pods that are not the app's (migration Job, helm test) and of their hook objects: the same
chart/instance labels, but a different app.kubernetes.io/name so that the Service, PodDisruptionBudget,
NetworkPolicy and spread constraints, which select the app's pods, never select them.
Takes (list $ "component").
*/}}
{{- define "ballast.componentLabels" -}}
{{- $ := index . 0 }}
{{- $component := index . 1 -}}
helm.sh/chart: {{ include "ballast.chart" $ }}
app.kubernetes.io/name: {{ printf "%s-%s" (include "ballast.name" $) $component | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/instance: {{ $.Release.Name }}
app.kubernetes.io/component: {{ $component }}
app.kubernetes.io/part-of: {{ include "ballast.name" $ }}
{{- if $.Chart.AppVersion }}
app.kubernetes.io/version: {{ $.Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ $.Release.Service }}
{{- with $.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Common annotations, as a block to nindent (empty when there are none).
*/}}
{{- define "ballast.annotations" -}}
{{- with .Values.commonAnnotations }}
{{- toYaml . }}
{{- end }}
{{- end }}

{{/*
Create the name of the service account to use
*/}}
{{- define "ballast.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ballast.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference: a digest wins over a tag; an empty tag means the chart's appVersion.
*/}}
{{- define "ballast.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Name of the Secret the chart renders for the URLs given in values.
*/}}
{{- define "ballast.secretName" -}}
{{- include "ballast.fullname" . }}
{{- end }}

{{/*
True ("true") when the chart renders its own Secret: a URL is given in values and not overridden by an
existing Secret.
*/}}
{{- define "ballast.createSecret" -}}
{{- if or (and .Values.database.url (not .Values.database.existingSecret)) (and .Values.redis.url (not .Values.redis.existingSecret)) }}true{{ end }}
{{- end }}

{{/*
True ("true") when REDIS_URL reaches the app (from values or an existing Secret).
*/}}
{{- define "ballast.redisEnabled" -}}
{{- if or .Values.redis.url .Values.redis.existingSecret }}true{{ end }}
{{- end }}

{{/*
DATABASE_URL and REDIS_URL as EnvVar objects, from the chart's Secret or the existing ones.
*/}}
{{- define "ballast.secretEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ default (include "ballast.secretName" .) .Values.database.existingSecret }}
      key: {{ ternary .Values.database.existingSecretKey "DATABASE_URL" (not (empty .Values.database.existingSecret)) }}
{{- if include "ballast.redisEnabled" . }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ default (include "ballast.secretName" .) .Values.redis.existingSecret }}
      key: {{ ternary .Values.redis.existingSecretKey "REDIS_URL" (not (empty .Values.redis.existingSecret)) }}
{{- end }}
{{- if include "ballast.adminEnabled" . }}
- name: MANAGEMENT_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "ballast.managementSecretName" . }}
      key: {{ ternary .Values.management.admin.existingSecretKey "MANAGEMENT_TOKEN" (not (empty .Values.management.admin.existingSecret)) }}
{{- end }}
{{- end }}

{{/*
The container port the probes and the ServiceMonitor use: the management port, or the app port without it.
*/}}
{{- define "ballast.opsPort" -}}
{{- ternary "management" "http" .Values.management.enabled }}
{{- end }}

{{/*
True ("true") when /admin/* is on: the management port with a token.
*/}}
{{- define "ballast.adminEnabled" -}}
{{- if and .Values.management.enabled .Values.management.admin.enabled }}true{{ end }}
{{- end }}

{{/*
Name of the Secret holding MANAGEMENT_TOKEN: the existing one, or the chart's generated one.
*/}}
{{- define "ballast.managementSecretName" -}}
{{- default (printf "%s-management" (include "ballast.fullname" .)) .Values.management.admin.existingSecret }}
{{- end }}

{{/*
A Kubernetes memory quantity (e.g. 512Mi, 1.5Gi, 536870912, 600M) in bytes, as a float.
*/}}
{{- define "ballast.quantityBytes" -}}
{{- $quantity := toString . }}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $quantity }}
{{- $suffix := trimPrefix $number $quantity }}
{{- $factors := dict "" 1 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 }}
{{- if not (hasKey $factors $suffix) }}
{{- fail (printf "resources.limits.memory: cannot read the quantity %q (use e.g. 512Mi or 1Gi)" $quantity) }}
{{- end }}
{{- mulf (float64 $number) (get $factors $suffix) }}
{{- end }}

{{/*
NODE_OPTIONS: the V8 old-space size as nodeOptions.maxOldSpacePercent of the memory limit (in MiB), so the
heap hits its limit and GCs hard before the kernel OOM-kills the container; then nodeOptions.extra.
*/}}
{{- define "ballast.nodeOptions" -}}
{{- $flags := list }}
{{- $limit := dig "limits" "memory" "" (.Values.resources | default dict) }}
{{- if $limit }}
{{- $bytes := include "ballast.quantityBytes" $limit | float64 }}
{{- $heapMiB := divf (mulf $bytes .Values.nodeOptions.maxOldSpacePercent) (mulf 100 1048576) | floor | int }}
{{- $flags = append $flags (printf "--max-old-space-size=%d" $heapMiB) }}
{{- end }}
{{- with .Values.nodeOptions.extra }}
{{- $flags = append $flags . }}
{{- end }}
{{- join " " $flags }}
{{- end }}

{{/*
An HTTP probe of `path` on the named container port, from a probe's values (enabled is not a probe field): (list probe path port).
*/}}
{{- define "ballast.httpProbe" -}}
{{- $probe := index . 0 -}}
httpGet:
  path: {{ index . 1 }}
  port: {{ index . 2 }}
{{ toYaml (omit $probe "enabled") }}
{{- end }}

{{/*
Pod settings shared by the Deployment, the migration Job and the test pod: hardening, and no docker-link
style variables for every Service of the namespace (they would clutter the app's environment).
*/}}
{{- define "ballast.podCommon" -}}
automountServiceAccountToken: {{ .Values.automountServiceAccountToken }}
enableServiceLinks: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
The writable /tmp every container of the chart gets (the root filesystem is read-only).
*/}}
{{- define "ballast.tmpVolume" -}}
- name: tmp
  emptyDir:
    {{- with .Values.tmpVolume.medium }}
    medium: {{ . }}
    {{- end }}
    {{- with .Values.tmpVolume.sizeLimit }}
    sizeLimit: {{ . }}
    {{- end }}
{{- end }}

{{/*
Environment keys that come from their own typed values; config may not set them.
*/}}
{{- define "ballast.reservedEnv" -}}
{{- list "PORT" "NODE_ENV" "NODE_OPTIONS" "UV_THREADPOOL_SIZE" "SHUTDOWN_DELAY_MS" "SHUTDOWN_DRAIN_TIMEOUT_MS" "DB_RUN_MIGRATIONS" "DATABASE_URL" "REDIS_URL" "MANAGEMENT_PORT" "MANAGEMENT_TOKEN" "OTEL_EXPORTER_OTLP_ENDPOINT" "OTEL_EXPORTER_OTLP_PROTOCOL" "OTEL_TRACES_SAMPLER" "OTEL_TRACES_SAMPLER_ARG" "OTEL_SERVICE_NAME" "OTEL_RESOURCE_ATTRIBUTES" | toJson }}
{{- end }}

{{/*
Refuse values that render valid YAML but an unsafe or broken deployment. Runs after values.schema.json,
so types are already right here. Every problem is listed at once.
*/}}
{{- define "ballast.validateValues" -}}
{{- $errors := list }}
{{- $shutdownMs := add .Values.shutdown.delayMs .Values.shutdown.drainTimeoutMs (mul .Values.shutdown.marginSeconds 1000) }}
{{- if lt (mul .Values.terminationGracePeriodSeconds 1000) $shutdownMs }}
{{- $errors = append $errors (printf "terminationGracePeriodSeconds (%d) is shorter than shutdown.delayMs (%d ms) + shutdown.drainTimeoutMs (%d ms) + shutdown.marginSeconds (%d s): the kubelet would SIGKILL pods mid-drain. Set terminationGracePeriodSeconds >= %d." (int .Values.terminationGracePeriodSeconds) (int .Values.shutdown.delayMs) (int .Values.shutdown.drainTimeoutMs) (int .Values.shutdown.marginSeconds) (int (ceil (divf $shutdownMs 1000)))) }}
{{- end }}
{{- if not (or .Values.database.url .Values.database.existingSecret) }}
{{- $errors = append $errors "database.url or database.existingSecret is required: the app refuses to start in production without DATABASE_URL." }}
{{- end }}
{{- range $key := include "ballast.reservedEnv" . | fromJsonArray }}
{{- if hasKey $.Values.config $key }}
{{- $errors = append $errors (printf "config.%s is set by the chart from its own value (see values.yaml); remove it from config." $key) }}
{{- end }}
{{- end }}
{{- /* The schema cannot say why in words; `true` arrives as a string (--set-string, quoted YAML) or a boolean (--set). */}}
{{- if eq (lower (toString (default "" .Values.config.TRUST_PROXY))) "true" }}
{{- $errors = append $errors "config.TRUST_PROXY=true trusts any client's X-Forwarded-For: every client could claim any IP address and escape its rate limit, so the app refuses it. Set the number of proxies in front of the pods (\"1\" behind one ingress or load balancer) or their addresses/subnets (\"10.0.0.0/8\")." }}
{{- end }}
{{- if and .Values.management.enabled (eq (int .Values.management.port) (int .Values.containerPort)) }}
{{- $errors = append $errors (printf "management.port (%d) equals containerPort: the management listener needs a port of its own, or the app refuses to start." (int .Values.management.port)) }}
{{- end }}
{{- if and (eq (toString .Values.rollingUpdate.maxSurge) "0") (eq (toString .Values.rollingUpdate.maxUnavailable) "0") }}
{{- $errors = append $errors "rollingUpdate.maxSurge and rollingUpdate.maxUnavailable cannot both be 0: the rollout could never progress." }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- $errors = append $errors (printf "autoscaling.minReplicas (%d) is larger than autoscaling.maxReplicas (%d)." (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- end }}
{{- if and .Values.autoscaling.enabled (not (or .Values.autoscaling.targetCPUUtilizationPercentage .Values.autoscaling.targetMemoryUtilizationPercentage)) }}
{{- $errors = append $errors "autoscaling.enabled needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage." }}
{{- end }}
{{- if .Values.podDisruptionBudget.enabled }}
{{- $pdb := .Values.podDisruptionBudget }}
{{- if eq (kindIs "invalid" $pdb.minAvailable) (kindIs "invalid" $pdb.maxUnavailable) }}
{{- $errors = append $errors "podDisruptionBudget: set exactly one of minAvailable and maxUnavailable." }}
{{- end }}
{{- end }}
{{- if $errors }}
{{- fail (printf "\n\nVALUES VALIDATION:\n  - %s" (join "\n  - " $errors)) }}
{{- end }}
{{- end }}
