-- The PostgreSQL desk (SPEC §5), version 1. Run by `refund-desk init` as the
-- owner role (NOLOGIN) that the DBA's setup names; `{owner}`, `{agent}` and
-- `{supervisor}` are that desk's roles. Desk roles read every table and
-- write none: every change goes through the SECURITY DEFINER functions at
-- the end, which take the operator from session_user, never from the caller.

CREATE SCHEMA refund_desk AUTHORIZATION {owner};
SET search_path = refund_desk, pg_catalog;

CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);

-- Ids and due dates sort byte by byte, as on a file desk, whatever the
-- database's locale: keyset pages compare (due_target, id) with the index.
CREATE TABLE tickets (
    id               text COLLATE "C" PRIMARY KEY,
    raw              text NOT NULL,          -- the JSON as received
    received_us      bigint NOT NULL,        -- instant, for "earlier" and sorting
    received_at      text NOT NULL,          -- as given, offset included
    product          text NOT NULL,
    account_id       text COLLATE "C" NOT NULL, -- grouped and walked byte by byte, as on a file desk
    customer         text,
    currency         text NOT NULL,
    requested        text,
    verdict          text NOT NULL,          -- verdict JSON
    verdict_kind     text NOT NULL,
    policy_version   text NOT NULL,
    state            text NOT NULL,
    assignee         text,
    pending          boolean NOT NULL DEFAULT false,
    due_target       text COLLATE "C",
    due_breach       text,
    wf               text NOT NULL,          -- workflow case JSON
    version          bigint NOT NULL DEFAULT 1,
    updated_at       text NOT NULL,
    updated_by       text NOT NULL,
    payout_reference text,
    search           text NOT NULL DEFAULT '' -- lower-cased id, account, name and the customer's words
);
-- Each list names the index that serves it (see pg::query).
-- Every ticket, for the All list only: its condition holds for every row,
-- and only that list states it (pg::query::EVERY_TICKET).
CREATE INDEX tickets_by_received ON tickets (received_us, id)
    WHERE received_us >= -9223372036854775807;
CREATE INDEX tickets_by_account ON tickets (account_id, received_us, id);
CREATE INDEX tickets_by_state ON tickets (state, received_us, id);
CREATE INDEX tickets_by_state_verdict ON tickets (state, verdict_kind, received_us, id);
CREATE INDEX tickets_by_verdict ON tickets (verdict_kind, received_us, id);
CREATE INDEX tickets_by_product ON tickets (product, received_us, id);
-- The state in it: Mine (an assignee's open tickets) is counted from the
-- index alone (30 ms for 120,000 tickets, 390 from the rows).
CREATE INDEX tickets_by_assignee ON tickets (assignee, received_us, id) INCLUDE (state)
    WHERE assignee IS NOT NULL;
CREATE INDEX tickets_by_due ON tickets (due_target, id);
CREATE INDEX tickets_pending ON tickets (received_us, id) WHERE pending;
-- Sorted by due date, a queue, Mine and Pending walk their own range in
-- order (by tickets_by_due with a filter, Review took a second at 1M).
CREATE INDEX tickets_by_state_due ON tickets (state, due_target, id);
CREATE INDEX tickets_by_assignee_due ON tickets (assignee, due_target, id) WHERE assignee IS NOT NULL;
CREATE INDEX tickets_pending_due ON tickets (due_target, id) WHERE pending;
-- Overdue in received order: the tickets with a running clock, their
-- target date in the index so the walk past those not yet due reads no row.
CREATE INDEX tickets_open ON tickets (received_us, id) INCLUDE (due_target)
    WHERE due_target < '9999-12-31';
CREATE UNIQUE INDEX tickets_by_payout_reference ON tickets (payout_reference)
    WHERE payout_reference IS NOT NULL;
-- Substring search in any script: trigrams of the lower-cased document
-- (pg_trgm splits CJK into trigrams of characters like any other text).
CREATE INDEX tickets_search ON tickets USING gin (search public.gin_trgm_ops);

CREATE TABLE events (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  text COLLATE "C" REFERENCES tickets (id),   -- NULL: a desk-level event
    action     text NOT NULL,
    from_state text,
    to_state   text,
    operator   text NOT NULL,
    at         text NOT NULL,
    note       text,
    payload    text NOT NULL DEFAULT '{}'
);
CREATE INDEX events_by_ticket ON events (ticket_id, seq);
CREATE INDEX events_payouts ON events (ticket_id, seq)
    WHERE action IN ('execute', 'sign_off', 'payout_returned', 'complete');

CREATE TABLE leases (
    ticket_id text COLLATE "C" PRIMARY KEY REFERENCES tickets (id),
    operator  text NOT NULL,
    until_us  bigint NOT NULL
);

CREATE TABLE policy_history (
    seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reason           text NOT NULL CHECK (reason IN ('created', 'adopted', 'applied')),
    version          text NOT NULL,
    files            text NOT NULL,
    calendar_name    text NOT NULL,
    calendar_version text NOT NULL,
    calendar         text NOT NULL,
    applied_by       text NOT NULL,
    applied_at       text NOT NULL,
    payload          text NOT NULL DEFAULT '{}'
);

-- Counts kept with every write to tickets, so the queues and the dashboard
-- cost the same at a million tickets as at ten (as on a file desk): tickets
-- per state, per target date and per breach date (NO_DUE when no clock
-- runs), and per local day of receipt, product, verdict kind and currency
-- with the sum of the verdict amounts in cents (exact: amounts have two
-- decimals). The local day is that of the offset in meta 'day_offset_us';
-- without it the day totals are not kept, and rebuild_day_totals makes them
-- for an offset (the console does when the desk's timezone is not theirs).
CREATE TABLE state_counts (state text PRIMARY KEY, n bigint NOT NULL);
CREATE TABLE due_counts (day text COLLATE "C" PRIMARY KEY, n bigint NOT NULL);
CREATE TABLE breach_counts (day text COLLATE "C" PRIMARY KEY, n bigint NOT NULL);
CREATE TABLE daily_totals (
    day      bigint NOT NULL,   -- local days since 1970-01-01
    product  text NOT NULL,
    kind     text NOT NULL,
    currency text NOT NULL,
    tickets  bigint NOT NULL,
    cents    bigint NOT NULL,
    PRIMARY KEY (day, product, kind, currency)
);

-- Counted once per statement from its transition tables: an import inserts
-- thousands of tickets at a time and a policy apply updates as many, and a
-- row upserted at every one of them in one transaction gets slower at
-- every upsert. A key whose tickets went as many as came is not written.
CREATE FUNCTION count_added() RETURNS trigger LANGUAGE plpgsql
SET search_path = refund_desk, pg_catalog AS $$
DECLARE
    -- Without it the day totals are not kept (see above).
    off bigint := (SELECT value::bigint FROM meta WHERE key = 'day_offset_us');
BEGIN
    -- One pass over the transition rows (whole tickets, raw JSON and all:
    -- reading them once per table doubled the cost of an import), narrowed
    -- to what is counted, then one upsert per key that moved.
    WITH r AS MATERIALIZED (
        SELECT state, due_target, due_breach, d,
               (received_us + off) / 86400000000 AS day, product, verdict_kind,
               CASE WHEN off IS NOT NULL AND verdict <> '' THEN verdict::jsonb END AS v
          FROM (SELECT state, due_target, due_breach, received_us, product, verdict_kind, verdict, 1::bigint AS d FROM added) AS t),
    s AS (
        INSERT INTO state_counts AS c (state, n)
        SELECT state, sum(d) FROM r GROUP BY state HAVING sum(d) <> 0
            ON CONFLICT (state) DO UPDATE SET n = c.n + excluded.n),
    u AS (
        INSERT INTO due_counts AS c (day, n)
        SELECT due_target, sum(d) FROM r WHERE due_target IS NOT NULL
         GROUP BY due_target HAVING sum(d) <> 0
            ON CONFLICT (day) DO UPDATE SET n = c.n + excluded.n),
    b AS (
        INSERT INTO breach_counts AS c (day, n)
        SELECT due_breach, sum(d) FROM r WHERE due_breach IS NOT NULL
         GROUP BY due_breach HAVING sum(d) <> 0
            ON CONFLICT (day) DO UPDATE SET n = c.n + excluded.n)
    INSERT INTO daily_totals AS t (day, product, kind, currency, tickets, cents)
    SELECT day, product, verdict_kind, coalesce(v ->> 'currency', ''), sum(d),
           sum(d * coalesce(trunc((v ->> 'amount')::numeric * 100), 0))::bigint
      FROM r WHERE v IS NOT NULL
     GROUP BY 1, 2, 3, 4
    HAVING sum(d) <> 0 OR sum(d * coalesce(trunc((v ->> 'amount')::numeric * 100), 0)) <> 0
        ON CONFLICT (day, product, kind, currency) DO UPDATE
       SET tickets = t.tickets + excluded.tickets, cents = t.cents + excluded.cents;
    RETURN NULL;
END $$;
CREATE FUNCTION count_changed() RETURNS trigger LANGUAGE plpgsql
SET search_path = refund_desk, pg_catalog AS $$
DECLARE
    -- Without it the day totals are not kept (see above).
    off bigint := (SELECT value::bigint FROM meta WHERE key = 'day_offset_us');
BEGIN
    -- One pass over the transition rows (whole tickets, raw JSON and all:
    -- reading them once per table doubled the cost of an import), narrowed
    -- to what is counted, then one upsert per key that moved.
    WITH r AS MATERIALIZED (
        SELECT state, due_target, due_breach, d,
               (received_us + off) / 86400000000 AS day, product, verdict_kind,
               CASE WHEN off IS NOT NULL AND verdict <> '' THEN verdict::jsonb END AS v
          FROM (SELECT state, due_target, due_breach, received_us, product, verdict_kind, verdict, 1::bigint AS d FROM now_rows UNION ALL SELECT state, due_target, due_breach, received_us, product, verdict_kind, verdict, -1 FROM was_rows) AS t),
    s AS (
        INSERT INTO state_counts AS c (state, n)
        SELECT state, sum(d) FROM r GROUP BY state HAVING sum(d) <> 0
            ON CONFLICT (state) DO UPDATE SET n = c.n + excluded.n),
    u AS (
        INSERT INTO due_counts AS c (day, n)
        SELECT due_target, sum(d) FROM r WHERE due_target IS NOT NULL
         GROUP BY due_target HAVING sum(d) <> 0
            ON CONFLICT (day) DO UPDATE SET n = c.n + excluded.n),
    b AS (
        INSERT INTO breach_counts AS c (day, n)
        SELECT due_breach, sum(d) FROM r WHERE due_breach IS NOT NULL
         GROUP BY due_breach HAVING sum(d) <> 0
            ON CONFLICT (day) DO UPDATE SET n = c.n + excluded.n)
    INSERT INTO daily_totals AS t (day, product, kind, currency, tickets, cents)
    SELECT day, product, verdict_kind, coalesce(v ->> 'currency', ''), sum(d),
           sum(d * coalesce(trunc((v ->> 'amount')::numeric * 100), 0))::bigint
      FROM r WHERE v IS NOT NULL
     GROUP BY 1, 2, 3, 4
    HAVING sum(d) <> 0 OR sum(d * coalesce(trunc((v ->> 'amount')::numeric * 100), 0)) <> 0
        ON CONFLICT (day, product, kind, currency) DO UPDATE
       SET tickets = t.tickets + excluded.tickets, cents = t.cents + excluded.cents;
    RETURN NULL;
END $$;
CREATE FUNCTION count_removed() RETURNS trigger LANGUAGE plpgsql
SET search_path = refund_desk, pg_catalog AS $$
DECLARE
    -- Without it the day totals are not kept (see above).
    off bigint := (SELECT value::bigint FROM meta WHERE key = 'day_offset_us');
BEGIN
    -- One pass over the transition rows (whole tickets, raw JSON and all:
    -- reading them once per table doubled the cost of an import), narrowed
    -- to what is counted, then one upsert per key that moved.
    WITH r AS MATERIALIZED (
        SELECT state, due_target, due_breach, d,
               (received_us + off) / 86400000000 AS day, product, verdict_kind,
               CASE WHEN off IS NOT NULL AND verdict <> '' THEN verdict::jsonb END AS v
          FROM (SELECT state, due_target, due_breach, received_us, product, verdict_kind, verdict, -1::bigint AS d FROM removed) AS t),
    s AS (
        INSERT INTO state_counts AS c (state, n)
        SELECT state, sum(d) FROM r GROUP BY state HAVING sum(d) <> 0
            ON CONFLICT (state) DO UPDATE SET n = c.n + excluded.n),
    u AS (
        INSERT INTO due_counts AS c (day, n)
        SELECT due_target, sum(d) FROM r WHERE due_target IS NOT NULL
         GROUP BY due_target HAVING sum(d) <> 0
            ON CONFLICT (day) DO UPDATE SET n = c.n + excluded.n),
    b AS (
        INSERT INTO breach_counts AS c (day, n)
        SELECT due_breach, sum(d) FROM r WHERE due_breach IS NOT NULL
         GROUP BY due_breach HAVING sum(d) <> 0
            ON CONFLICT (day) DO UPDATE SET n = c.n + excluded.n)
    INSERT INTO daily_totals AS t (day, product, kind, currency, tickets, cents)
    SELECT day, product, verdict_kind, coalesce(v ->> 'currency', ''), sum(d),
           sum(d * coalesce(trunc((v ->> 'amount')::numeric * 100), 0))::bigint
      FROM r WHERE v IS NOT NULL
     GROUP BY 1, 2, 3, 4
    HAVING sum(d) <> 0 OR sum(d * coalesce(trunc((v ->> 'amount')::numeric * 100), 0)) <> 0
        ON CONFLICT (day, product, kind, currency) DO UPDATE
       SET tickets = t.tickets + excluded.tickets, cents = t.cents + excluded.cents;
    RETURN NULL;
END $$;
CREATE TRIGGER tickets_count_insert AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION count_added();
CREATE TRIGGER tickets_count_update AFTER UPDATE ON tickets
    REFERENCING OLD TABLE AS was_rows NEW TABLE AS now_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_changed();
CREATE TRIGGER tickets_count_delete AFTER DELETE ON tickets
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION count_removed();

-- The audit trail and the policy history are append-only, whoever asks:
-- no desk role is granted UPDATE, DELETE or TRUNCATE, and these triggers
-- refuse them even to the owner.
CREATE FUNCTION refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = '42501';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER policy_history_append_only BEFORE UPDATE OR DELETE ON policy_history
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER policy_history_no_truncate BEFORE TRUNCATE ON policy_history
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();

-- Live refresh: every change to the desk wakes the consoles listening.
CREATE FUNCTION notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('refund_desk', TG_TABLE_NAME);
    RETURN NULL;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change();
CREATE TRIGGER leases_notify AFTER INSERT OR UPDATE OR DELETE ON leases
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change();

-- The operator's desk role, from the group roles session_user is in.
-- ({agent} and {supervisor} are quoted identifiers: ::regrole reads them so.)
CREATE FUNCTION role_of(who text) RETURNS text LANGUAGE sql STABLE
SET search_path = refund_desk, pg_catalog AS $$
    SELECT CASE
        WHEN pg_has_role(who, '{supervisor}'::regrole, 'MEMBER') THEN 'supervisor'
        WHEN pg_has_role(who, '{agent}'::regrole, 'MEMBER') THEN 'agent'
    END
    WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = who)
$$;

CREATE FUNCTION require_role(wanted text) RETURNS text LANGUAGE plpgsql STABLE
SET search_path = refund_desk, pg_catalog AS $$
DECLARE
    r text := role_of(session_user);
BEGIN
    IF r IS NULL THEN
        RAISE EXCEPTION '% has no role on this desk; ask a supervisor: refund-desk roles grant % agent',
            session_user, session_user USING ERRCODE = '42501';
    END IF;
    IF wanted = 'supervisor' AND r <> 'supervisor' THEN
        RAISE EXCEPTION 'only a supervisor may do this; % is an agent', session_user
            USING ERRCODE = '42501';
    END IF;
    RETURN r;
END $$;

-- Every change to tickets: a batch of events, each carrying the columns
-- it sets (`change`) and the version its writer read (`expected_version`).
-- The operator is session_user; a stale version, a from-state that is not
-- the ticket's state, or a sign-off by the proposer is refused here as
-- well as in the program, and so is any move the workflow does not make
-- (`check_move`, moves.sql), so psql is no road around them.
-- `keep_version`: the change leaves version and updated_by as they are (a
-- verdict recomputed, as on a file desk). `attach`: a change with no event
-- of its own (new facts beside an info_received, due dates a policy apply
-- moved), accepted only when the ticket has an event, or the desk's policy
-- a change, recorded in the same transaction: no change without a trace.
CREATE FUNCTION record(evs jsonb) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = refund_desk, pg_catalog AS $$
DECLARE
    ev jsonb;
    chg jsonb;
    old tickets%ROWTYPE;
    new tickets%ROWTYPE;
    me text := session_user;
    role text := require_role('agent');
    -- The elements once, as an array: indexing the jsonb itself would
    -- decompress it again at every step when it comes in compressed.
    els jsonb[] := ARRAY(SELECT jsonb_array_elements(evs));
    n int := cardinality(els);
    i int := 1;
    last int;
BEGIN
    WHILE i <= n LOOP
        ev := els[i];
        chg := ev->'change';
        IF ev->>'ticket_id' IS NULL THEN
            RAISE EXCEPTION 'a desk-level event is recorded only by the desk''s own functions'
                USING ERRCODE = '42501';
        END IF;
        IF (ev->>'create')::boolean THEN
            -- A run of new tickets (an import's batch) in two statements,
            -- not two per ticket: a statement per row cost ten times the row.
            last := i;
            WHILE last < n AND (els[last + 1]->>'create')::boolean LOOP
                last := last + 1;
            END LOOP;
            -- A ticket arrives untouched: nothing decided, nothing paid.
            IF EXISTS (SELECT 1 FROM unnest(els[i:last]) AS x (e)
                        WHERE e->>'action' IS DISTINCT FROM 'import'
                           OR e->>'from_state' IS DISTINCT FROM 'submitted'
                           OR e->>'to_state' IS DISTINCT FROM 'submitted'
                           OR e->'change'->>'state' IS DISTINCT FROM 'submitted'
                           OR coalesce(e->'change'->>'wf', '') <> ''
                           OR e->'change'->>'assignee' IS NOT NULL
                           OR (e->'change'->>'pending')::boolean IS DISTINCT FROM false
                           OR e->'change'->>'payout_reference' IS NOT NULL) THEN
                RAISE EXCEPTION 'a new ticket arrives by import, submitted and untouched'
                    USING ERRCODE = '42501';
            END IF;
            INSERT INTO tickets SELECT r.* FROM unnest(els[i:last]) AS x (e),
                LATERAL jsonb_populate_record(NULL::tickets, (e->'change')
                    || jsonb_build_object('id', e->>'ticket_id', 'version', 1,
                                          'updated_by', me)) r;
            INSERT INTO events (ticket_id, action, from_state, to_state, operator, at, note, payload)
            SELECT e->>'ticket_id', e->>'action', e->>'from_state', e->>'to_state', me,
                   e->>'at', e->>'note', coalesce(e->>'payload', '{}')
              FROM unnest(els[i:last]) WITH ORDINALITY AS x (e, k)
             ORDER BY k;
            i := last + 1;
            CONTINUE;
        ELSE
            SELECT * INTO old FROM tickets WHERE id = ev->>'ticket_id' FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'no ticket %', ev->>'ticket_id' USING ERRCODE = 'P0002';
            END IF;
            IF ev ? 'expected_version' AND (ev->>'expected_version')::bigint <> old.version THEN
                RAISE EXCEPTION 'stale' USING ERRCODE = 'RD409',
                    DETAIL = jsonb_build_object('by', old.updated_by, 'at', old.updated_at)::text;
            END IF;
            IF ev->>'from_state' IS DISTINCT FROM old.state THEN
                RAISE EXCEPTION 'ticket % is %, not %', old.id, old.state, ev->>'from_state'
                    USING ERRCODE = 'RD409',
                    DETAIL = jsonb_build_object('by', old.updated_by, 'at', old.updated_at)::text;
            END IF;
            IF (ev->>'attach')::boolean THEN
                IF NOT EXISTS (SELECT 1 FROM events e WHERE e.ticket_id = old.id
                                  AND e.xmin = pg_current_xact_id()::xid)
                   AND NOT EXISTS (SELECT 1 FROM policy_history p
                                    WHERE p.xmin = pg_current_xact_id()::xid) THEN
                    RAISE EXCEPTION 'a change of ticket % without an event of its own rides only with one recorded in the same transaction', old.id
                        USING ERRCODE = '42501';
                END IF;
            END IF;
            new := jsonb_populate_record(old, coalesce(chg, '{}'));
            new.version := old.version + CASE WHEN chg IS NULL OR (ev->>'keep_version')::boolean
                                              THEN 0 ELSE 1 END;
            new.updated_by := CASE WHEN chg IS NULL OR (ev->>'keep_version')::boolean
                                   THEN old.updated_by ELSE me END;
            PERFORM check_move(ev, old, new, role);
            IF chg IS NOT NULL THEN
                UPDATE tickets t SET
                    raw = n.raw, received_us = n.received_us, received_at = n.received_at,
                    product = n.product, account_id = n.account_id, customer = n.customer,
                    currency = n.currency, requested = n.requested, verdict = n.verdict,
                    verdict_kind = n.verdict_kind, policy_version = n.policy_version,
                    state = n.state, assignee = n.assignee, pending = n.pending,
                    due_target = n.due_target, due_breach = n.due_breach, wf = n.wf,
                    version = CASE WHEN (ev->>'keep_version')::boolean THEN old.version
                                   ELSE old.version + 1 END,
                    updated_at = n.updated_at,
                    updated_by = CASE WHEN (ev->>'keep_version')::boolean THEN old.updated_by
                                      ELSE me END,
                    payout_reference = n.payout_reference, search = n.search
                FROM jsonb_populate_record(old, chg) AS n
                WHERE t.id = old.id;
            END IF;
        END IF;
        i := i + 1;
        CONTINUE WHEN (ev->>'attach')::boolean;
        INSERT INTO events (ticket_id, action, from_state, to_state, operator, at, note, payload)
        VALUES (ev->>'ticket_id', ev->>'action', ev->>'from_state', ev->>'to_state', me,
                ev->>'at', ev->>'note', coalesce(ev->>'payload', '{}'));
    END LOOP;
END $$;

-- Leases: who is working on a ticket, for the console's warning.
CREATE FUNCTION claim(ticket text, until bigint, now_us bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = refund_desk, pg_catalog AS $$
DECLARE
    holder text;
BEGIN
    PERFORM require_role('agent');
    SELECT operator INTO holder FROM leases
     WHERE ticket_id = ticket AND operator <> session_user AND until_us > now_us;
    IF FOUND THEN
        RETURN holder;
    END IF;
    INSERT INTO leases AS l (ticket_id, operator, until_us) VALUES (ticket, session_user, until)
        ON CONFLICT (ticket_id) DO UPDATE SET operator = session_user, until_us = until;
    RETURN NULL;
END $$;

CREATE FUNCTION release(ticket text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = refund_desk, pg_catalog AS $$
    DELETE FROM leases WHERE ticket_id = ticket AND operator = session_user;
$$;

-- Roles are the desk's group roles; only a supervisor changes them, never
-- their own, and every change is an event.
CREATE FUNCTION set_role(who text, wanted text, at text, note text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = refund_desk, pg_catalog AS $$
DECLARE
    previous text;
BEGIN
    PERFORM require_role('supervisor');
    IF who = session_user THEN
        RAISE EXCEPTION 'a supervisor cannot change their own role; ask another supervisor'
            USING ERRCODE = '42501';
    END IF;
    IF wanted IS NOT NULL AND wanted NOT IN ('agent', 'supervisor') THEN
        RAISE EXCEPTION 'no desk role %', wanted USING ERRCODE = '22023';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = who AND rolcanlogin) THEN
        RAISE EXCEPTION 'there is no database login role %: the DBA creates one per operator', who
            USING ERRCODE = '42704';
    END IF;
    previous := role_of(who);
    IF previous IS NOT DISTINCT FROM wanted THEN
        RETURN false;
    END IF;
    IF previous IS NOT NULL THEN
        EXECUTE format('REVOKE %s FROM %I', CASE previous WHEN 'agent' THEN '{agent}' ELSE '{supervisor}' END, who);
    END IF;
    IF wanted IS NOT NULL THEN
        EXECUTE format('GRANT %s TO %I', CASE wanted WHEN 'agent' THEN '{agent}' ELSE '{supervisor}' END, who);
    END IF;
    INSERT INTO events (ticket_id, action, operator, at, note, payload)
    VALUES (NULL, CASE WHEN wanted IS NULL THEN 'role_revoke' ELSE 'role_grant' END, session_user, at, note,
            jsonb_build_object('user', who, 'role', wanted, 'previous', previous)::text);
    RETURN true;
END $$;

-- The desk's policy: a new row of its history (`payload`) and its
-- desk-level event (`event_payload`, which wraps it), by a supervisor.
CREATE FUNCTION record_policy(reason text, version text, files text, calendar_name text,
        calendar_version text, calendar text, at text, payload text, event_note text,
        event_payload text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = refund_desk, pg_catalog AS $$
BEGIN
    PERFORM require_role('supervisor');
    INSERT INTO policy_history (reason, version, files, calendar_name, calendar_version, calendar,
                                applied_by, applied_at, payload)
    VALUES (reason, version, files, calendar_name, calendar_version, calendar, session_user, at, payload);
    INSERT INTO events (ticket_id, action, operator, at, note, payload)
    VALUES (NULL, 'policy_' || reason, session_user, at, event_note, event_payload);
END $$;

-- The policy version every stored verdict was last checked against.
CREATE FUNCTION set_policy_version(v text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = refund_desk, pg_catalog AS $$
BEGIN
    PERFORM require_role('agent');
    INSERT INTO meta (key, value) VALUES ('policy_version', v)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
END $$;

-- The day totals for the local days of `off` (microseconds east of UTC),
-- made afresh from the tickets: when a desk's timezone is not the one its
-- totals were kept in. Writers wait meanwhile, so none is counted twice or
-- not at all.
CREATE FUNCTION rebuild_day_totals(off bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = refund_desk, pg_catalog AS $$
BEGIN
    PERFORM require_role('agent');
    LOCK TABLE tickets IN SHARE MODE;
    IF (SELECT value FROM meta WHERE key = 'day_offset_us') IS NOT DISTINCT FROM off::text THEN
        RETURN;
    END IF;
    INSERT INTO meta (key, value) VALUES ('day_offset_us', off::text)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
    DELETE FROM daily_totals;
    INSERT INTO daily_totals (day, product, kind, currency, tickets, cents)
    SELECT (received_us + off) / 86400000000, product, verdict_kind,
           coalesce(verdict::jsonb ->> 'currency', ''), count(*),
           coalesce(sum(trunc((verdict::jsonb ->> 'amount')::numeric * 100)), 0)::bigint
      FROM tickets WHERE verdict <> ''
     GROUP BY 1, 2, 3, 4;
END $$;

REVOKE ALL ON ALL TABLES IN SCHEMA refund_desk FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA refund_desk FROM PUBLIC;
GRANT USAGE ON SCHEMA refund_desk TO {agent}, {supervisor};
GRANT SELECT ON ALL TABLES IN SCHEMA refund_desk TO {agent}, {supervisor};
GRANT EXECUTE ON FUNCTION record(jsonb), claim(text, bigint, bigint), release(text),
    set_role(text, text, text, text), role_of(text), require_role(text),
    record_policy(text, text, text, text, text, text, text, text, text, text),
    set_policy_version(text), rebuild_day_totals(bigint) TO {agent}, {supervisor};
