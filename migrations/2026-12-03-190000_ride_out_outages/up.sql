-- E-mails are recorded "sending" before the SMTP exchange and "sent" after it: a worker
-- that dies in between leaves "sending", and the retry sends again (same Message-ID).
ALTER TABLE sent_emails ADD COLUMN state text NOT NULL DEFAULT 'sent'
    CONSTRAINT sent_emails_state_known CHECK (state IN ('sending', 'sent'));

