ALTER TABLE sent_emails DROP COLUMN state;
