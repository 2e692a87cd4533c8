-- The language each person reads: a staff user's choice (set on /me), a reporter's from
-- the page they used. NULL: the platform's DEFAULT_LOCALE.
ALTER TABLE users ADD COLUMN locale text CONSTRAINT users_locale_known CHECK (locale IN ('fr', 'en'));
ALTER TABLE reports ADD COLUMN locale text CONSTRAINT reports_locale_known CHECK (locale IN ('fr', 'en'));
-- The encoding an import's file was read in (detected or given with ?encoding=).
ALTER TABLE imports ADD COLUMN encoding text;
