-- The extensions stay: other schemas of the database may use them.
DROP TABLE audit_log;
DROP TABLE containers;
DROP TABLE areas;
DROP TABLE sites;
