DROP TABLE event_journal;
DROP TABLE sent_emails;
DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION outbox_notify();
DROP TABLE outbox;
