//! `rudder create`: scaffold a starter chart. (Placeholder: filled by its own work.)
