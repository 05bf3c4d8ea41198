//! keepalived's command line (keepalived(8)); see keepalived-reference.md section c.
