// @generated automatically by Diesel CLI.

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    areas (id) {
        id -> Uuid,
        site_id -> Uuid,
        code -> Text,
        name -> Text,
        boundary -> Nullable<Geometry>,
        archived_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    audit_log (id) {
        id -> Int8,
        occurred_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Uuid,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        request_id -> Nullable<Text>,
        import_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    containers (id) {
        id -> Uuid,
        public_code -> Text,
        site_id -> Uuid,
        area_id -> Nullable<Uuid>,
        external_ref -> Nullable<Text>,
        kind -> Text,
        status -> Text,
        capacity_litres -> Nullable<Int4>,
        location -> Geometry,
        address -> Nullable<Text>,
        installed_on -> Nullable<Date>,
        notes -> Nullable<Text>,
        archived_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    download_links (id) {
        id -> Uuid,
        digest -> Bytea,
        user_id -> Uuid,
        session_id -> Nullable<Uuid>,
        target -> Text,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        voided_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    event_journal (job_id) {
        job_id -> Text,
        event_type -> Text,
        correlation_id -> Nullable<Text>,
        payload -> Jsonb,
        handled_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    outbox (id) {
        id -> Int8,
        event_type -> Text,
        aggregate_type -> Text,
        aggregate_id -> Uuid,
        payload -> Jsonb,
        correlation_id -> Nullable<Text>,
        created_at -> Timestamptz,
        claimed_until -> Nullable<Timestamptz>,
        sent_at -> Nullable<Timestamptz>,
        trace_context -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    sent_emails (dedup_key) {
        dedup_key -> Text,
        recipient -> Text,
        template -> Text,
        sent_at -> Timestamptz,
        state -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    sites (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        archived_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        time_zone -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    password_resets (digest) {
        digest -> Bytea,
        user_id -> Uuid,
        expires_at -> Timestamptz,
        spent_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    refresh_tokens (digest) {
        digest -> Bytea,
        session_id -> Uuid,
        user_id -> Uuid,
        expires_at -> Timestamptz,
        spent_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    report_events (id) {
        id -> Int8,
        report_id -> Uuid,
        occurred_at -> Timestamptz,
        actor_id -> Nullable<Uuid>,
        status -> Nullable<Text>,
        comment -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    report_reporters (report_id, email) {
        report_id -> Uuid,
        email -> Text,
        added_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    reports (id) {
        id -> Uuid,
        public_token -> Text,
        container_id -> Uuid,
        category -> Text,
        description -> Nullable<Text>,
        email -> Nullable<Text>,
        status -> Text,
        report_count -> Int4,
        assignee_id -> Nullable<Uuid>,
        source -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        locale -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    revoked_tokens (id) {
        id -> Text,
        until -> Timestamptz,
        revoked_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    idempotency_keys (scope, key) {
        scope -> Text,
        key -> Text,
        created_at -> Timestamptz,
        fingerprint -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    tours (id) {
        id -> Uuid,
        site_id -> Uuid,
        date -> Date,
        driver_id -> Nullable<Uuid>,
        vehicle -> Nullable<Text>,
        depot -> Nullable<Geometry>,
        notes -> Nullable<Text>,
        state -> Text,
        stops -> Jsonb,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    users (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Text,
        role -> Text,
        active -> Bool,
        password_hash -> Text,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        locale -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    visits (id) {
        id -> Int8,
        tour_id -> Uuid,
        container_id -> Uuid,
        site_id -> Uuid,
        area_id -> Nullable<Uuid>,
        container_kind -> Text,
        driver_id -> Nullable<Uuid>,
        occurred_at -> Timestamptz,
        local_day -> Date,
        outcome -> Text,
        fill_level -> Nullable<Int2>,
        weight_kg -> Nullable<Float8>,
        emptied -> Bool,
        skip_reason -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use postgis_diesel::sql_types::*;

    container_predictions (container_id) {
        container_id -> Uuid,
        own_rate -> Nullable<Float8>,
        own_observations -> Int4,
        rate_per_day -> Float8,
        source -> Text,
        confidence -> Float8,
        anchor_at -> Nullable<Timestamptz>,
        anchor_level -> Float8,
        threshold -> Int2,
        threshold_at -> Nullable<Timestamptz>,
        computed_at -> Timestamptz,
    }
}

diesel::joinable!(areas -> sites (site_id));
diesel::joinable!(visits -> tours (tour_id));
diesel::joinable!(visits -> containers (container_id));
diesel::joinable!(container_predictions -> containers (container_id));
diesel::joinable!(containers -> sites (site_id));

diesel::joinable!(download_links -> users (user_id));
diesel::joinable!(password_resets -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(tours -> sites (site_id));
diesel::joinable!(report_events -> reports (report_id));
diesel::joinable!(reports -> containers (container_id));

diesel::allow_tables_to_appear_in_same_query!(
    areas,
    audit_log,
    container_predictions,
    containers,
    download_links,
    event_journal,
    idempotency_keys,
    outbox,
    password_resets,
    refresh_tokens,
    report_events,
    report_reporters,
    reports,
    revoked_tokens,
    sent_emails,
    sites,
    tours,
    users,
    visits,
);
