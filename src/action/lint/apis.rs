//! Deprecated and removed Kubernetes API versions (the Kubernetes deprecation guide, as Helm's
//! lint reports them through client-go's lifecycle data).
//!
//! With a target version (`--kube-version`), an API already removed there is an error (the
//! object cannot be installed), one deprecated there a warning, a later deprecation nothing.
//! Without a target every entry is a warning, as Helm does.

use super::Severity;

/// One deprecated group/version/kind.
struct Deprecated {
    api_version: &'static str,
    kind: &'static str,
    /// Kubernetes minor version (1.x) that deprecated it.
    deprecated_in: u64,
    /// Kubernetes minor version (1.x) that stopped serving it.
    removed_in: u64,
    /// What to use instead.
    replacement: &'static str,
}

macro_rules! table {
    ($( $gv:literal $kind:literal $dep:literal $rm:literal $repl:literal ;)*) => {
        &[ $( Deprecated { api_version: $gv, kind: $kind, deprecated_in: $dep, removed_in: $rm, replacement: $repl }, )* ]
    };
}

/// Every deprecated API of Kubernetes 1.x, group by group.
const TABLE: &[Deprecated] = table! {
    "extensions/v1beta1" "DaemonSet" 8 16 "apps/v1 DaemonSet";
    "extensions/v1beta1" "Deployment" 8 16 "apps/v1 Deployment";
    "extensions/v1beta1" "ReplicaSet" 8 16 "apps/v1 ReplicaSet";
    "extensions/v1beta1" "NetworkPolicy" 9 16 "networking.k8s.io/v1 NetworkPolicy";
    "extensions/v1beta1" "PodSecurityPolicy" 10 16 "Pod Security Admission";
    "extensions/v1beta1" "Ingress" 14 22 "networking.k8s.io/v1 Ingress";
    "apps/v1beta1" "Deployment" 8 16 "apps/v1 Deployment";
    "apps/v1beta1" "StatefulSet" 8 16 "apps/v1 StatefulSet";
    "apps/v1beta1" "ControllerRevision" 8 16 "apps/v1 ControllerRevision";
    "apps/v1beta2" "DaemonSet" 9 16 "apps/v1 DaemonSet";
    "apps/v1beta2" "Deployment" 9 16 "apps/v1 Deployment";
    "apps/v1beta2" "ReplicaSet" 9 16 "apps/v1 ReplicaSet";
    "apps/v1beta2" "StatefulSet" 9 16 "apps/v1 StatefulSet";
    "apps/v1beta2" "ControllerRevision" 9 16 "apps/v1 ControllerRevision";
    "networking.k8s.io/v1beta1" "Ingress" 19 22 "networking.k8s.io/v1 Ingress";
    "networking.k8s.io/v1beta1" "IngressClass" 19 22 "networking.k8s.io/v1 IngressClass";
    "admissionregistration.k8s.io/v1beta1" "MutatingWebhookConfiguration" 16 22 "admissionregistration.k8s.io/v1 MutatingWebhookConfiguration";
    "admissionregistration.k8s.io/v1beta1" "ValidatingWebhookConfiguration" 16 22 "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration";
    "apiextensions.k8s.io/v1beta1" "CustomResourceDefinition" 16 22 "apiextensions.k8s.io/v1 CustomResourceDefinition";
    "apiregistration.k8s.io/v1beta1" "APIService" 19 22 "apiregistration.k8s.io/v1 APIService";
    "authentication.k8s.io/v1beta1" "TokenReview" 19 22 "authentication.k8s.io/v1 TokenReview";
    "authorization.k8s.io/v1beta1" "SubjectAccessReview" 19 22 "authorization.k8s.io/v1 SubjectAccessReview";
    "authorization.k8s.io/v1beta1" "LocalSubjectAccessReview" 19 22 "authorization.k8s.io/v1 LocalSubjectAccessReview";
    "authorization.k8s.io/v1beta1" "SelfSubjectAccessReview" 19 22 "authorization.k8s.io/v1 SelfSubjectAccessReview";
    "authorization.k8s.io/v1beta1" "SelfSubjectRulesReview" 19 22 "authorization.k8s.io/v1 SelfSubjectRulesReview";
    "certificates.k8s.io/v1beta1" "CertificateSigningRequest" 19 22 "certificates.k8s.io/v1 CertificateSigningRequest";
    "coordination.k8s.io/v1beta1" "Lease" 19 22 "coordination.k8s.io/v1 Lease";
    "rbac.authorization.k8s.io/v1beta1" "ClusterRole" 17 22 "rbac.authorization.k8s.io/v1 ClusterRole";
    "rbac.authorization.k8s.io/v1beta1" "ClusterRoleBinding" 17 22 "rbac.authorization.k8s.io/v1 ClusterRoleBinding";
    "rbac.authorization.k8s.io/v1beta1" "Role" 17 22 "rbac.authorization.k8s.io/v1 Role";
    "rbac.authorization.k8s.io/v1beta1" "RoleBinding" 17 22 "rbac.authorization.k8s.io/v1 RoleBinding";
    "scheduling.k8s.io/v1beta1" "PriorityClass" 14 22 "scheduling.k8s.io/v1 PriorityClass";
    "storage.k8s.io/v1beta1" "CSIDriver" 19 22 "storage.k8s.io/v1 CSIDriver";
    "storage.k8s.io/v1beta1" "CSINode" 17 22 "storage.k8s.io/v1 CSINode";
    "storage.k8s.io/v1beta1" "StorageClass" 19 22 "storage.k8s.io/v1 StorageClass";
    "storage.k8s.io/v1beta1" "VolumeAttachment" 19 22 "storage.k8s.io/v1 VolumeAttachment";
    "batch/v1beta1" "CronJob" 21 25 "batch/v1 CronJob";
    "discovery.k8s.io/v1beta1" "EndpointSlice" 21 25 "discovery.k8s.io/v1 EndpointSlice";
    "events.k8s.io/v1beta1" "Event" 22 25 "events.k8s.io/v1 Event";
    "autoscaling/v2beta1" "HorizontalPodAutoscaler" 22 25 "autoscaling/v2 HorizontalPodAutoscaler";
    "policy/v1beta1" "PodDisruptionBudget" 21 25 "policy/v1 PodDisruptionBudget";
    "policy/v1beta1" "PodSecurityPolicy" 21 25 "Pod Security Admission";
    "node.k8s.io/v1beta1" "RuntimeClass" 22 25 "node.k8s.io/v1 RuntimeClass";
    "autoscaling/v2beta2" "HorizontalPodAutoscaler" 23 26 "autoscaling/v2 HorizontalPodAutoscaler";
    "flowcontrol.apiserver.k8s.io/v1beta1" "FlowSchema" 23 26 "flowcontrol.apiserver.k8s.io/v1 FlowSchema";
    "flowcontrol.apiserver.k8s.io/v1beta1" "PriorityLevelConfiguration" 23 26 "flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration";
    "storage.k8s.io/v1beta1" "CSIStorageCapacity" 24 27 "storage.k8s.io/v1 CSIStorageCapacity";
    "flowcontrol.apiserver.k8s.io/v1beta2" "FlowSchema" 26 29 "flowcontrol.apiserver.k8s.io/v1 FlowSchema";
    "flowcontrol.apiserver.k8s.io/v1beta2" "PriorityLevelConfiguration" 26 29 "flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration";
    "flowcontrol.apiserver.k8s.io/v1beta3" "FlowSchema" 29 32 "flowcontrol.apiserver.k8s.io/v1 FlowSchema";
    "flowcontrol.apiserver.k8s.io/v1beta3" "PriorityLevelConfiguration" 29 32 "flowcontrol.apiserver.k8s.io/v1 PriorityLevelConfiguration";
};

/// The finding for an object of `api_version`/`kind` on Kubernetes `target` (`None`: no target
/// given), or `None` when the API is fine there.
pub fn check(
    api_version: &str,
    kind: &str,
    target: Option<&semver::Version>,
) -> Option<(Severity, String)> {
    let entry = TABLE
        .iter()
        .find(|d| d.api_version == api_version && d.kind == kind)?;
    let message = format!(
        "{api_version} {kind} is deprecated in v1.{}+, unavailable in v1.{}+; use {}",
        entry.deprecated_in, entry.removed_in, entry.replacement
    );
    let Some(target) = target else {
        return Some((Severity::Warning, message));
    };
    // Kubernetes 1.x only: a 2.x (or later) target is past every removal.
    let minor = if target.major > 1 {
        u64::MAX
    } else {
        target.minor
    };
    if target.major < 1 || minor < entry.deprecated_in {
        None
    } else if minor >= entry.removed_in {
        Some((
            Severity::Error,
            format!("{message} (the target Kubernetes v{target} no longer serves it)"),
        ))
    } else {
        Some((Severity::Warning, message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> semver::Version {
        semver::Version::parse(s).unwrap()
    }

    #[test]
    fn severity_follows_the_target() {
        let no_target = check("batch/v1beta1", "CronJob", None).unwrap();
        assert_eq!(no_target.0, Severity::Warning);
        assert_eq!(
            no_target.1,
            "batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob"
        );
        assert!(check("batch/v1beta1", "CronJob", Some(&v("1.20.0"))).is_none());
        assert_eq!(
            check("batch/v1beta1", "CronJob", Some(&v("1.21.0")))
                .unwrap()
                .0,
            Severity::Warning
        );
        assert_eq!(
            check("batch/v1beta1", "CronJob", Some(&v("1.24.9")))
                .unwrap()
                .0,
            Severity::Warning
        );
        let removed = check("batch/v1beta1", "CronJob", Some(&v("1.25.0"))).unwrap();
        assert_eq!(removed.0, Severity::Error);
        assert!(
            removed.1.contains("v1.25.0 no longer serves it"),
            "{}",
            removed.1
        );
    }

    #[test]
    fn current_apis_and_unknown_kinds_pass() {
        assert!(check("apps/v1", "Deployment", None).is_none());
        assert!(check("batch/v1beta1", "Job", None).is_none());
        assert!(check("example.com/v1beta1", "Widget", Some(&v("1.30.0"))).is_none());
    }

    #[test]
    fn table_is_consistent() {
        for d in TABLE {
            assert!(
                d.deprecated_in < d.removed_in,
                "{} {}",
                d.api_version,
                d.kind
            );
            assert!(d.api_version.contains('/'), "{}", d.api_version);
        }
    }
}
