//! `rudder lint`: check charts. (Placeholder: filled by its own work.)
