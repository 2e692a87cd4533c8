-- Every reporter's address on a report (deduplicated, case-insensitively): a reporter merged
-- into an open report is acknowledged and follows it like the first one.
CREATE TABLE report_reporters (
    report_id uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    email     text NOT NULL,
    added_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (report_id, email)
);
CREATE UNIQUE INDEX report_reporters_email_key ON report_reporters (report_id, lower(email));
INSERT INTO report_reporters (report_id, email, added_at)
SELECT id, email, created_at FROM reports WHERE email IS NOT NULL;
