"""Generates schema.rs (beside this file): the field numbers of the Kubernetes protobuf messages the
sandbox decodes.

Usage: python3 gen_schema.py DIR > schema.rs, where DIR holds core.proto, apps.proto (the
generated.proto of k8s.io/api core/v1 and apps/v1), meta.proto and runtime.proto (of
k8s.io/apimachinery pkg/apis/meta/v1 and pkg/runtime).
"""
import re, sys
d = sys.argv[1]
files = {n: f'{d}/{n}.proto' for n in ['core', 'apps', 'meta', 'runtime']}
msgs = {}
for short, f in files.items():
    src = open(f).read()
    pkg = re.search(r'^package ([\w.]+);', src, re.M).group(1)
    for m in re.finditer(r'^message (\w+) \{(.*?)^\}', src, re.S|re.M):
        fields = []
        for lab, typ, name, num in re.findall(r'^\s+(optional|repeated|map<[^>]+>)\s*([\w.]*)\s+(\w+) = (\d+);', m.group(2), re.M):
            if lab.startswith('map'):
                k, v = [x.strip() for x in lab[4:-1].split(',')]
                fields.append((int(num), name, 'map', v, pkg))
            else:
                fields.append((int(num), name, lab, typ, pkg))
        msgs['.'+pkg+'.'+m.group(1)] = fields
SPECIAL = {'.k8s.io.apimachinery.pkg.api.resource.Quantity':'Quantity', '.k8s.io.apimachinery.pkg.util.intstr.IntOrString':'IntOrString',
           '.k8s.io.apimachinery.pkg.apis.meta.v1.Time':'Time', '.k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime':'Time',
           '.k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1':'FieldsV1', '.k8s.io.apimachinery.pkg.runtime.RawExtension':'Raw',
           '.k8s.io.apimachinery.pkg.apis.meta.v1.Duration':'Duration'}
SCALAR = {'string':'Str','bytes':'Bytes','bool':'Bool','int32':'Int','int64':'Int','double':'Float','float':'Float'}
def resolve(typ, pkg):
    if typ in SCALAR: return SCALAR[typ]
    full = typ if typ.startswith('.') else '.'+pkg+'.'+typ
    if full in SPECIAL: return SPECIAL[full]
    if full not in msgs: sys.exit('unknown '+full)
    return full
roots = ['.k8s.io.api.core.v1.'+n for n in ['Namespace','Secret','ConfigMap','ServiceAccount','Service','Pod','PersistentVolumeClaim']] + \
        ['.k8s.io.api.apps.v1.'+n for n in ['Deployment','StatefulSet','DaemonSet','ReplicaSet']] + \
        ['.k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', '.k8s.io.apimachinery.pkg.runtime.Unknown']
seen = []
todo = list(roots)
while todo:
    m = todo.pop()
    if m in seen: continue
    seen.append(m)
    for num, name, lab, typ, pkg in msgs[m]:
        r = resolve(typ, pkg)
        if r.startswith('.'): todo.append(r)
def short(full):
    return full.replace('.k8s.io.api.','').replace('.k8s.io.apimachinery.pkg.apis.','').replace('.k8s.io.apimachinery.pkg.','')
POINTER_ZERO = {'replicas','gracePeriodSeconds','revisionHistoryLimit','terminationGracePeriodSeconds','activeDeadlineSeconds','progressDeadlineSeconds','automountServiceAccountToken','immutable','enableServiceLinks','minReadySeconds'}
out = ['//! Field numbers of the Kubernetes protobuf messages the sandbox decodes (generated from the', '//! `generated.proto` files of k8s.io/api and k8s.io/apimachinery: wire facts, one row per field).', '//! Roots: the built-in kinds clients send as protobuf (Namespace, Secret, ConfigMap, ServiceAccount,', '//! Service, Pod, PersistentVolumeClaim, Deployment, StatefulSet, DaemonSet, ReplicaSet), DeleteOptions', '//! and the `runtime.Unknown` envelope. A `json` of "" marks a Go struct inlined into its parent.', '', 'use super::{Field, Kind::*};', '', '/// Every message, sorted by name for binary search: (name, fields).', 'pub(super) static MESSAGES: &[(&str, &[Field])] = &[']
for m in sorted(seen, key=short):
    out.append(f'    ("{short(m)}", &[')
    for num, name, lab, typ, pkg in msgs[m]:
        r = resolve(typ, pkg)
        kind = f'Msg("{short(r)}")' if r.startswith('.') else r
        if lab == 'map':
            kind = f'Map(&{kind})'
        rep = 'true' if lab == 'repeated' else 'false'
        keep = 'true' if name in POINTER_ZERO else 'false'
        jname = '' if name in ('volumeSource','handler','ephemeralContainerCommon','persistentVolumeSource') else name
        out.append(f'        Field {{ num: {num}, json: "{jname}", kind: {kind}, repeated: {rep}, keep_zero: {keep} }},')
    out.append('    ]),')
out.append('];')
print('\n'.join(out))
print(len(seen), file=sys.stderr)
