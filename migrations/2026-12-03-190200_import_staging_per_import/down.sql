DO $$
DECLARE staged record;
BEGIN
    FOR staged IN SELECT tablename FROM pg_tables
        WHERE schemaname = current_schema() AND tablename LIKE 'import\_staged\_%'
    LOOP
        EXECUTE format('DROP TABLE %I', staged.tablename);
    END LOOP;
END $$;
COMMENT ON TABLE import_rows IS NULL;
