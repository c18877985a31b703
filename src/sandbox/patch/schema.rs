//! The little of the Kubernetes OpenAPI schema the patch algorithms need: which list fields
//! merge by key (and on which keys), which merge as sets, which maps are atomic or true
//! string maps. Anything not described here is a plain struct with atomic lists, which is
//! how the real server treats an unknown or schemaless type.

use super::super::gvk::Gvk;

/// A position in an object's type tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    /// Anything we know nothing special about: granular maps, atomic lists.
    Any,
    /// The top of an object of the given shape.
    Root(RootKind),
    /// `metadata`.
    Meta,
    /// The `spec` of a workload that carries a pod `template`.
    WorkloadSpec,
    /// `CronJob.spec`.
    CronJobSpec,
    /// `CronJob.spec.jobTemplate`.
    JobTemplate,
    /// A pod template (`metadata` + `spec`).
    PodTemplate,
    /// A pod's `spec`.
    PodSpec,
    /// A container (also init and ephemeral containers).
    Container,
    /// `resources` of a container.
    Resources,
    /// `Service.spec`.
    ServiceSpec,
    /// `status` of any object.
    Status,
}

/// The object shapes we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RootKind {
    /// Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, ReplicationController.
    Workload,
    /// CronJob.
    CronJob,
    /// Pod.
    Pod,
    /// PodTemplate.
    PodTemplate,
    /// Service.
    Service,
    /// ConfigMap and Secret (string maps under `data`).
    Data,
    /// Everything else.
    Other,
}

/// How server-side apply treats a list field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SsaList {
    /// Replaced as a whole (`x-kubernetes-list-type: atomic`).
    Atomic,
    /// Scalars merged as a set (`x-kubernetes-list-type: set`).
    Set,
    /// Objects merged by these key fields, each with its default if absent.
    Map(&'static [(&'static str, Option<&'static str>)]),
}

/// How one list field merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ListShape {
    /// Strategic merge patch's `patchMergeKey` (None: the list is replaced).
    pub smp_key: Option<&'static str>,
    /// A list of scalars with `patchStrategy: merge` (union).
    pub smp_merge_scalars: bool,
    /// Server-side apply's list type.
    pub ssa: SsaList,
    /// The type of the items.
    pub item: Ty,
}

const ATOMIC: ListShape = ListShape {
    smp_key: None,
    smp_merge_scalars: false,
    ssa: SsaList::Atomic,
    item: Ty::Any,
};

/// A list merged by `name` on both sides.
const fn by_name(item: Ty) -> ListShape {
    ListShape {
        smp_key: Some("name"),
        smp_merge_scalars: false,
        ssa: SsaList::Map(&[("name", None)]),
        item,
    }
}

impl Ty {
    /// The type at the top of an object of this kind.
    pub(crate) fn root(gvk: &Gvk) -> Ty {
        let kind = match (gvk.group.as_str(), gvk.kind.as_str()) {
            ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
            | ("batch", "Job")
            | ("", "ReplicationController") => RootKind::Workload,
            ("batch", "CronJob") => RootKind::CronJob,
            ("", "Pod") => RootKind::Pod,
            ("", "PodTemplate") => RootKind::PodTemplate,
            ("", "Service") => RootKind::Service,
            ("", "ConfigMap" | "Secret") => RootKind::Data,
            _ => RootKind::Other,
        };
        Ty::Root(kind)
    }

    /// The type of a field of a map of this type.
    pub(crate) fn field(self, name: &str) -> Ty {
        use RootKind as R;
        match (self, name) {
            (Ty::Root(_), "metadata") => Ty::Meta,
            (Ty::Root(_), "status") => Ty::Status,
            (Ty::Root(R::Workload), "spec") => Ty::WorkloadSpec,
            (Ty::Root(R::CronJob), "spec") => Ty::CronJobSpec,
            (Ty::Root(R::Pod), "spec") => Ty::PodSpec,
            (Ty::Root(R::PodTemplate), "template") => Ty::PodTemplate,
            (Ty::Root(R::Service), "spec") => Ty::ServiceSpec,
            (Ty::WorkloadSpec, "template") => Ty::PodTemplate,
            (Ty::CronJobSpec, "jobTemplate") => Ty::JobTemplate,
            (Ty::JobTemplate, "metadata") | (Ty::PodTemplate, "metadata") => Ty::Meta,
            (Ty::JobTemplate, "spec") => Ty::WorkloadSpec,
            (Ty::PodTemplate, "spec") => Ty::PodSpec,
            (Ty::Container, "resources") => Ty::Resources,
            _ => Ty::Any,
        }
    }

    /// How a list field of a map of this type merges.
    pub(crate) fn list(self, name: &str) -> ListShape {
        match (self, name) {
            (Ty::Meta, "finalizers") => ListShape {
                smp_key: None,
                smp_merge_scalars: true,
                ssa: SsaList::Set,
                item: Ty::Any,
            },
            (Ty::Meta, "ownerReferences") => ListShape {
                smp_key: Some("uid"),
                smp_merge_scalars: false,
                ssa: SsaList::Map(&[("uid", None)]),
                item: Ty::Any,
            },
            (Ty::PodSpec, "containers" | "initContainers" | "ephemeralContainers") => {
                by_name(Ty::Container)
            }
            (
                Ty::PodSpec,
                "volumes" | "imagePullSecrets" | "schedulingGates" | "resourceClaims",
            ) => by_name(Ty::Any),
            (Ty::PodSpec, "hostAliases") => ListShape {
                smp_key: Some("ip"),
                smp_merge_scalars: false,
                ssa: SsaList::Map(&[("ip", None)]),
                item: Ty::Any,
            },
            (Ty::PodSpec, "topologySpreadConstraints") => ListShape {
                smp_key: Some("topologyKey"),
                smp_merge_scalars: false,
                ssa: SsaList::Map(&[("topologyKey", None), ("whenUnsatisfiable", None)]),
                item: Ty::Any,
            },
            (Ty::Container, "env") => by_name(Ty::Any),
            (Ty::Container, "ports") => ListShape {
                smp_key: Some("containerPort"),
                smp_merge_scalars: false,
                ssa: SsaList::Map(&[("containerPort", None), ("protocol", Some("TCP"))]),
                item: Ty::Any,
            },
            (Ty::Container, "volumeMounts") => ListShape {
                smp_key: Some("mountPath"),
                smp_merge_scalars: false,
                ssa: SsaList::Map(&[("mountPath", None)]),
                item: Ty::Any,
            },
            (Ty::Container, "volumeDevices") => ListShape {
                smp_key: Some("devicePath"),
                smp_merge_scalars: false,
                ssa: SsaList::Map(&[("devicePath", None)]),
                item: Ty::Any,
            },
            (Ty::ServiceSpec, "ports") => ListShape {
                smp_key: Some("port"),
                smp_merge_scalars: false,
                ssa: SsaList::Map(&[("port", None), ("protocol", Some("TCP"))]),
                item: Ty::Any,
            },
            (Ty::Status, "conditions") => ListShape {
                smp_key: Some("type"),
                smp_merge_scalars: false,
                ssa: SsaList::Map(&[("type", None)]),
                item: Ty::Any,
            },
            _ => ATOMIC,
        }
    }

    /// A map field server-side apply owns as a whole (a label selector).
    pub(crate) fn atomic_map(self, name: &str) -> bool {
        matches!(
            (self, name),
            (Ty::WorkloadSpec, "selector") | (Ty::Meta, "managedFields")
        )
    }

    /// A map field that is a true `map[string]...` (as opposed to a struct): an update that
    /// creates it owns the map itself too (`.: {}` in FieldsV1).
    pub(crate) fn string_map(self, name: &str) -> bool {
        matches!(
            (self, name),
            (Ty::Meta, "labels" | "annotations")
                | (Ty::PodSpec, "nodeSelector")
                | (Ty::ServiceSpec, "selector")
                | (
                    Ty::Root(RootKind::Data),
                    "data" | "stringData" | "binaryData"
                )
                | (Ty::Resources, "limits" | "requests")
        )
    }
}
