//! Sets of field paths as server-side apply tracks them, and their FieldsV1 wire form
//! (`{"f:spec":{"f:replicas":{}}}`; list items `k:{"name":"web"}`, set members `v:"x"`, and
//! `.` for a node that is itself a member).
