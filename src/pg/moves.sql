-- The workflow as the server checks it (SPEC §3, §5), run by `init` after
-- schema.sql. `record` calls `check_move` for every change to a ticket, so
-- an operator calling it from psql can move a ticket only as the workflow
-- moves it, and money only as the program would: the amounts four-eyes
-- guards, the amount executed, who signs off. The tables are written at
-- init from the program's own (domain::workflow::moves, pg::rules).
SET search_path = refund_desk, pg_catalog;

-- (action, from, to) for every move the workflow makes, system moves too.
CREATE TABLE moves (
    action     text NOT NULL,
    from_state text NOT NULL,
    to_state   text NOT NULL,
    PRIMARY KEY (action, from_state, to_state)
);
-- The fields of the workflow record each action may change.
CREATE TABLE move_fields (
    action text NOT NULL,
    field  text NOT NULL,
    PRIMARY KEY (action, field)
);

CREATE FUNCTION refuse(msg text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', msg USING ERRCODE = '42501';
END $$;

-- A workflow record with every field; '' is a ticket nobody acted on yet,
-- whose clock started where `stage_start` says.
CREATE FUNCTION case_of(wf text, stage_start jsonb) RETURNS jsonb LANGUAGE sql STABLE
SET search_path = refund_desk, pg_catalog AS $$
    SELECT (SELECT value::jsonb FROM meta WHERE key = 'fresh_case')
        || CASE WHEN coalesce(wf, '') = ''
                THEN jsonb_build_object('stage_start', coalesce(stage_start, 'null'::jsonb))
                ELSE wf::jsonb END
$$;

-- The four-eyes thresholds of each policy row ({"default": "10000.00",
-- "JPY": ...}), written in the same transaction as the row by whoever
-- wrote it (`set_thresholds`); the server cannot read the policy's TOML.
CREATE TABLE policy_thresholds (
    policy_seq bigint PRIMARY KEY REFERENCES policy_history (seq),
    amounts    text NOT NULL
);

CREATE FUNCTION set_thresholds(amounts text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = refund_desk, pg_catalog AS $$
DECLARE
    latest bigint;
    author text;
    written xid;
BEGIN
    SELECT p.seq, p.applied_by, p.xmin INTO latest, author, written
      FROM policy_history p ORDER BY p.seq DESC LIMIT 1;
    IF written IS DISTINCT FROM pg_current_xact_id()::xid OR author IS DISTINCT FROM session_user THEN
        PERFORM refuse('thresholds are written only with the policy change they belong to, by its author');
    END IF;
    INSERT INTO policy_thresholds (policy_seq, amounts) VALUES (latest, amounts::jsonb::text);
END $$;

-- The four-eyes threshold of a currency under the desk's policy in force;
-- NULL when that policy came without them (a desk migrated before any
-- policy apply): the check is then the program's alone.
CREATE FUNCTION threshold(currency text) RETURNS numeric LANGUAGE sql STABLE
SET search_path = refund_desk, pg_catalog AS $$
    SELECT coalesce(t.amounts::jsonb ->> currency, t.amounts::jsonb ->> 'default')::numeric
      FROM policy_thresholds t WHERE t.policy_seq = (SELECT max(seq) FROM policy_history)
$$;

-- The most the desk pays on this ticket without a second supervisor
-- (guards::limit): the verdict's amount or ceiling, else the refundable base.
CREATE FUNCTION verdict_limit(t tickets) RETURNS numeric LANGUAGE plpgsql STABLE
SET search_path = refund_desk, pg_catalog AS $$
DECLARE
    v jsonb := nullif(t.verdict, '')::jsonb;
    p jsonb := t.raw::jsonb -> 'payment';
BEGIN
    IF v IS NULL THEN
        PERFORM refuse(format('ticket %s has no verdict yet', t.id));
    END IF;
    RETURN coalesce((v ->> 'amount')::numeric, (v ->> 'ceiling')::numeric,
        coalesce((p ->> 'cash')::numeric, 0) + coalesce((p ->> 'commission_credit')::numeric, 0)
            + coalesce((p ->> 'free_credit')::numeric, 0));
END $$;

-- Whether approving, agreeing or paying `amount` needs a second supervisor
-- (guards::amount_reasons is not empty). Unknown counts as needing one.
CREATE FUNCTION needs_second(t tickets, amount numeric) RETURNS boolean LANGUAGE sql STABLE
SET search_path = refund_desk, pg_catalog AS $$
    SELECT coalesce((t.verdict::jsonb ->> 'kind') = 'reject'
        OR (t.verdict::jsonb -> 'flags') ? 'abuse_suspected'
        OR amount > verdict_limit(t), true)
        OR coalesce(amount > threshold(t.currency), false)
$$;

-- Who stands behind an amount decided now (apply::approval): the operator
-- alone, or the proposer and the supervisor signing off, for the reasons
-- the proposal gave.
CREATE FUNCTION check_approval(t tickets, approval jsonb, amount numeric, proposal jsonb)
RETURNS void LANGUAGE plpgsql STABLE SET search_path = refund_desk, pg_catalog AS $$
DECLARE
    signed boolean := proposal IS NOT NULL;
BEGIN
    IF amount IS NULL OR amount <= 0 THEN
        PERFORM refuse('the amount must be greater than 0');
    END IF;
    IF NOT signed AND needs_second(t, amount) THEN
        PERFORM refuse(format('%s on ticket %s needs a second supervisor: it is proposed, then signed off (four-eyes)',
            amount, t.id));
    END IF;
    IF (approval ->> 'amount')::numeric IS DISTINCT FROM amount
       OR approval ->> 'by' IS DISTINCT FROM (CASE WHEN signed THEN proposal ->> 'proposer' ELSE session_user::text END)
       OR approval ->> 'signed_off_by' IS DISTINCT FROM (CASE WHEN signed THEN session_user::text END)
       OR coalesce(approval -> 'reasons', '[]') <> (CASE WHEN signed THEN proposal -> 'reasons' ELSE '[]' END)
    THEN
        PERFORM refuse('the approval names who decided the amount: the operator, or the proposer and the supervisor signing off');
    END IF;
END $$;

-- The amount a proposal to approve or agree puts in place.
CREATE FUNCTION proposed_amount(t tickets, ow jsonb, pa jsonb) RETURNS numeric LANGUAGE sql STABLE
SET search_path = refund_desk, pg_catalog AS $$
    SELECT CASE pa ->> 'action'
        WHEN 'approve' THEN coalesce((pa ->> 'amount')::numeric,
            (t.verdict::jsonb ->> 'amount')::numeric, (t.verdict::jsonb ->> 'ceiling')::numeric)
        WHEN 'agree' THEN coalesce((pa ->> 'amount')::numeric,
            (SELECT (l ->> 'amount')::numeric
               FROM jsonb_array_elements(ow -> 'ledger') WITH ORDINALITY AS x (l, i)
              WHERE l ->> 'amount' IS NOT NULL ORDER BY i DESC LIMIT 1))
    END
$$;

-- The payout as `execute` records it (apply::execution): the amount the
-- stored case agreed, decided by whom the stored approval says, signed off
-- by that approval's supervisor and the one signing now, if any.
CREATE FUNCTION check_execution(t tickets, ow jsonb, x jsonb, pa jsonb, payload jsonb)
RETURNS void LANGUAGE plpgsql STABLE SET search_path = refund_desk, pg_catalog AS $$
DECLARE
    signed boolean := pa IS NOT NULL;
    amount numeric := (ow ->> 'agreed')::numeric;
    signers jsonb := CASE WHEN ow -> 'approval' ->> 'signed_off_by' IS NULL THEN '[]'::jsonb
                          ELSE jsonb_build_array(ow -> 'approval' ->> 'signed_off_by') END;
    reasons jsonb := coalesce(ow -> 'approval' -> 'reasons', '[]');
BEGIN
    IF jsonb_typeof(ow -> 'execution') = 'object' THEN
        PERFORM refuse('the payout was already executed');
    END IF;
    IF amount IS NULL THEN
        PERFORM refuse(format('ticket %s has no agreed amount to pay', t.id));
    END IF;
    IF signed THEN
        IF NOT signers ? session_user::text THEN
            signers := signers || to_jsonb(session_user::text);
        END IF;
        reasons := reasons || (pa -> 'reasons');
        IF x ->> 'route' IS DISTINCT FROM pa -> 'action' ->> 'route'
           OR x -> 'account' IS DISTINCT FROM pa -> 'action' -> 'account' THEN
            PERFORM refuse('a sign-off pays by the route the proposal named');
        END IF;
    ELSE
        IF x ->> 'route' IS DISTINCT FROM 'original' THEN
            PERFORM refuse('a payout to an alternate route needs a second supervisor (four-eyes)');
        END IF;
        IF needs_second(t, amount) AND NOT ((ow -> 'approval' ->> 'signed_off_by') IS NOT NULL
                AND (ow -> 'approval' ->> 'amount')::numeric = amount) THEN
            PERFORM refuse(format('paying %s on ticket %s needs a second supervisor (four-eyes)', amount, t.id));
        END IF;
    END IF;
    IF x ->> 'route' = 'alternate' AND (t.product <> 'live' OR coalesce(trim(x ->> 'account'), '') = '') THEN
        PERFORM refuse('an alternate payout route is only for live refunds, with the account details');
    END IF;
    IF (x ->> 'amount')::numeric IS DISTINCT FROM amount THEN
        PERFORM refuse(format('ticket %s pays %s, the amount agreed', t.id, amount));
    END IF;
    IF x ->> 'executed_by' IS DISTINCT FROM coalesce(pa ->> 'proposer', session_user::text)
       OR x ->> 'decided_by' IS DISTINCT FROM ow -> 'approval' ->> 'by'
       OR coalesce(x -> 'signed_off_by', '[]') <> signers
       OR coalesce(x -> 'signed_reasons', '[]') <> reasons
    THEN
        PERFORM refuse('a payout names who decided, signed off and executed it, as the case records them');
    END IF;
    IF (CASE WHEN signed THEN payload -> 'result' ELSE payload END) IS DISTINCT FROM x THEN
        PERFORM refuse('the execute event records the payout as executed');
    END IF;
END $$;

-- One change to a ticket, judged: `old` as stored, `new` as it would be.
CREATE FUNCTION check_move(ev jsonb, old tickets, new tickets, role text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = refund_desk, pg_catalog AS $$
DECLARE
    me text := session_user;
    -- A change riding with another event of its transaction (record's
    -- `attach`: new facts, a first verdict, due dates a policy moved) is
    -- judged as facts are.
    attached boolean := coalesce((ev ->> 'attach')::boolean, false);
    act text := CASE WHEN attached THEN 'update' ELSE ev ->> 'action' END;
    payload jsonb := coalesce(ev ->> 'payload', '{}')::jsonb;
    wf_cols text[] := ARRAY['state', 'assignee', 'pending', 'due_target', 'due_breach', 'wf',
                            'payout_reference'];
    fact_cols text[] := ARRAY['raw', 'received_us', 'received_at', 'product', 'account_id',
                              'customer', 'currency', 'requested', 'verdict', 'verdict_kind',
                              'policy_version', 'search', 'wf', 'due_target', 'due_breach'];
    cols text[];
    allowed text[];
    fields text[];
    ow jsonb;
    nw jsonb;
    pa jsonb;
    kind text;
    line jsonb;
    a numeric;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM moves m WHERE m.action = act AND m.from_state = old.state
                                           AND m.to_state = new.state) THEN
        PERFORM refuse(format('%s does not move a ticket from %s to %s', act, old.state, new.state));
    END IF;
    IF NOT attached AND ev ->> 'to_state' IS DISTINCT FROM new.state THEN
        PERFORM refuse(format('the event says %s, the ticket would be %s', ev ->> 'to_state', new.state));
    END IF;
    SELECT coalesce(array_agg(n.key), '{}') INTO cols
      FROM jsonb_each(to_jsonb(new)) n JOIN jsonb_each(to_jsonb(old)) o USING (key)
     WHERE n.value IS DISTINCT FROM o.value AND n.key NOT IN ('version', 'updated_by', 'updated_at');
    allowed := CASE
        WHEN act IN ('update', 'reverdict') THEN fact_cols
        WHEN act = 'info_received' THEN wf_cols || fact_cols
        -- A verdict recomputed may ride with the voiding it caused.
        WHEN act = 'decision_voided' THEN ARRAY['state', 'pending'] || fact_cols
        ELSE wf_cols END;
    IF NOT cols <@ allowed THEN
        PERFORM refuse(format('%s does not change a ticket''s %s', act,
            array_to_string(ARRAY(SELECT unnest(cols) EXCEPT SELECT unnest(allowed)), ', ')));
    END IF;

    nw := case_of(new.wf, NULL);
    ow := case_of(old.wf, nw -> 'stage_start');
    IF coalesce(new.wf, '') = '' THEN
        nw := case_of('', ow -> 'stage_start');
    END IF;
    IF new.state IS DISTINCT FROM nw ->> 'state'
       OR new.assignee IS DISTINCT FROM nw ->> 'assignee'
       OR new.pending IS DISTINCT FROM (jsonb_typeof(nw -> 'pending') = 'object')
       OR new.payout_reference IS DISTINCT FROM nw ->> 'payout_reference' THEN
        PERFORM refuse(format('ticket %s: its state, assignee, proposal and reference are its workflow record''s', old.id));
    END IF;
    SELECT coalesce(array_agg(n.key), '{}') INTO fields
      FROM jsonb_each(nw) n WHERE n.value IS DISTINCT FROM ow -> n.key;
    pa := CASE WHEN jsonb_typeof(ow -> 'pending') = 'object' THEN ow -> 'pending' END;
    kind := CASE WHEN act = 'sign_off' THEN pa -> 'action' ->> 'action' ELSE act END;

    -- A proposal (four-eyes): the ticket waits as it is, for a supervisor.
    IF act IN ('approve', 'agree', 'revise', 'execute') AND jsonb_typeof(nw -> 'pending') = 'object' THEN
        IF fields <> ARRAY['pending'] OR pa IS NOT NULL
           OR nw -> 'pending' ->> 'proposer' IS DISTINCT FROM me
           OR nw -> 'pending' -> 'action' ->> 'action' IS DISTINCT FROM act
           OR payload -> 'pending' IS DISTINCT FROM 'true'::jsonb THEN
            PERFORM refuse('a proposal leaves the ticket as it is until a supervisor signs it off, and is the proposer''s own');
        END IF;
        RETURN;
    END IF;
    IF jsonb_typeof(nw -> 'pending') = 'object' AND nw -> 'pending' IS DISTINCT FROM ow -> 'pending' THEN
        PERFORM refuse(format('%s makes no proposal', act));
    END IF;

    IF act IN ('sign_off', 'decline') THEN
        IF pa IS NULL THEN
            PERFORM refuse('there is no proposal waiting for sign-off');
        END IF;
        IF act = 'sign_off' AND role <> 'supervisor' THEN
            PERFORM refuse(format('only a supervisor can sign off; %s is an agent', me));
        END IF;
        IF act = 'sign_off' AND pa ->> 'proposer' = me THEN
            PERFORM refuse(format('four-eyes: %s proposed this and cannot sign it off', me));
        END IF;
        IF act = 'decline' AND role <> 'supervisor' AND pa ->> 'proposer' IS DISTINCT FROM me THEN
            PERFORM refuse('only a supervisor (or the proposer, to withdraw it) can decline a proposal');
        END IF;
        IF jsonb_typeof(nw -> 'pending') = 'object' THEN
            PERFORM refuse(format('%s settles the proposal', act));
        END IF;
        IF payload -> 'proposal' IS DISTINCT FROM pa -> 'action'
           OR payload ->> 'proposer' IS DISTINCT FROM pa ->> 'proposer' THEN
            PERFORM refuse('the event names the proposal it signs off or declines');
        END IF;
    END IF;
    IF NOT fields <@ ARRAY(SELECT f.field FROM move_fields f
                            WHERE f.action = act OR (act = 'sign_off' AND f.action = kind)) THEN
        PERFORM refuse(format('%s does not change the case''s %s', act, array_to_string(fields, ', ')));
    END IF;
    IF act <> 'sign_off' THEN
        pa := NULL;
    END IF;

    CASE kind
    WHEN 'take' THEN
        IF nw ->> 'assignee' IS DISTINCT FROM me THEN
            PERFORM refuse('take assigns the ticket to the operator taking it');
        END IF;
    WHEN 'assign' THEN
        IF role_of(nw ->> 'assignee') IS NULL OR NOT EXISTS (
                SELECT 1 FROM pg_roles WHERE rolname = nw ->> 'assignee' AND rolcanlogin) THEN
            PERFORM refuse(format('%s has no role on this desk', nw ->> 'assignee'));
        END IF;
        IF role <> 'supervisor' AND ow ->> 'assignee' IS DISTINCT FROM me THEN
            PERFORM refuse('an agent hands off only their own tickets');
        END IF;
    WHEN 'info_received' THEN
        IF new.state IS DISTINCT FROM coalesce(ow ->> 'resume_to', 'initial_review') THEN
            PERFORM refuse('info_received returns the ticket to where the information was asked for');
        END IF;
    WHEN 'approve', 'reject', 'revise' THEN
        IF pa IS NOT NULL AND kind = 'revise' AND nw -> 'decision' IS DISTINCT FROM pa -> 'action' -> 'decision' THEN
            PERFORM refuse('a sign-off decides what the proposal said');
        END IF;
        IF nw -> 'decision' ->> 'decision' = 'approve' AND kind <> 'reject' THEN
            a := (nw -> 'decision' ->> 'amount')::numeric;
            IF pa IS NOT NULL AND kind = 'approve' AND a IS DISTINCT FROM proposed_amount(old, ow, pa -> 'action') THEN
                PERFORM refuse('a sign-off decides the amount the proposal said');
            END IF;
            PERFORM check_approval(old, nw -> 'approval', a, pa);
        ELSIF nw -> 'decision' ->> 'decision' = 'reject' AND kind <> 'approve' THEN
            IF jsonb_typeof(nw -> 'approval') = 'object' THEN
                PERFORM refuse('a rejection approves no amount');
            END IF;
        ELSE
            PERFORM refuse(format('%s records its decision', kind));
        END IF;
    WHEN 'agree' THEN
        a := (nw ->> 'agreed')::numeric;
        IF pa IS NOT NULL AND a IS DISTINCT FROM proposed_amount(old, ow, pa -> 'action') THEN
            PERFORM refuse('a sign-off agrees the amount the proposal said');
        END IF;
        PERFORM check_approval(old, nw -> 'approval', a, pa);
    WHEN 'accept' THEN
        IF ow -> 'decision' ->> 'decision' IS DISTINCT FROM 'approve'
           OR (nw ->> 'agreed')::numeric IS DISTINCT FROM (ow -> 'decision' ->> 'amount')::numeric THEN
            PERFORM refuse('accept agrees the amount approved, nothing else');
        END IF;
    WHEN 'offer', 'appeal' THEN
        line := nw -> 'ledger' -> -1;
        IF jsonb_array_length(nw -> 'ledger') <> jsonb_array_length(ow -> 'ledger') + 1
           OR (nw -> 'ledger') - (-1) <> ow -> 'ledger'
           OR line ->> 'by' IS DISTINCT FROM me
           OR (kind = 'appeal' AND line ->> 'party' IS DISTINCT FROM 'customer') THEN
            PERFORM refuse(format('%s adds one line to the negotiation ledger', kind));
        END IF;
        a := (line ->> 'amount')::numeric;
        IF kind = 'offer' AND (a IS NULL OR a <= 0) THEN
            PERFORM refuse('an offer must be greater than 0');
        END IF;
        IF kind = 'offer' AND line ->> 'party' = 'desk' AND a > verdict_limit(old) THEN
            PERFORM refuse(format('the desk cannot offer more than the verdict allows (%s)', verdict_limit(old)));
        END IF;
    WHEN 'execute' THEN
        PERFORM check_execution(old, ow, nw -> 'execution', pa, payload);
    WHEN 'payout_returned' THEN
        IF jsonb_typeof(ow -> 'execution') IS DISTINCT FROM 'object'
           OR jsonb_typeof(nw -> 'execution') = 'object'
           OR nw -> 'returned' <> (ow -> 'returned') || jsonb_build_array(nw -> 'returned' -> -1)
           OR nw -> 'returned' -> -1 -> 'execution' IS DISTINCT FROM ow -> 'execution'
           OR nw -> 'returned' -> -1 ->> 'by' IS DISTINCT FROM me
           OR payload -> 'returned' IS DISTINCT FROM ow -> 'execution' THEN
            PERFORM refuse('payout_returned clears the executed payout into the returned ones');
        END IF;
    WHEN 'complete' THEN
        IF jsonb_typeof(ow -> 'execution') IS DISTINCT FROM 'object' THEN
            PERFORM refuse('execute the payout before completing it');
        END IF;
        IF coalesce(trim(nw ->> 'payout_reference'), '') = ''
           OR payload ->> 'reference' IS DISTINCT FROM nw ->> 'payout_reference' THEN
            PERFORM refuse('a completion records the payout reference');
        END IF;
    WHEN 'withdraw' THEN
        IF jsonb_typeof(ow -> 'execution') = 'object' THEN
            PERFORM refuse('the payout was already executed');
        END IF;
    WHEN 'decision_voided' THEN
        IF jsonb_typeof(ow -> 'execution') = 'object' THEN
            PERFORM refuse('after a payout is executed a verdict change is recorded, never applied to money');
        END IF;
        IF jsonb_typeof(nw -> 'pending') = 'object'
           OR (nw -> 'decision' IS DISTINCT FROM ow -> 'decision' AND nw -> 'decision' <> 'null')
           OR (nw -> 'agreed' IS DISTINCT FROM ow -> 'agreed' AND nw -> 'agreed' <> 'null')
           OR (nw -> 'approval' IS DISTINCT FROM ow -> 'approval' AND nw -> 'approval' <> 'null')
           OR (nw -> 'ledger' IS DISTINCT FROM ow -> 'ledger' AND nw -> 'ledger' <> '[]') THEN
            PERFORM refuse('voiding only takes away what no longer stands');
        END IF;
    ELSE
        NULL;
    END CASE;
END $$;

-- The ticket's row, locked until the caller's transaction ends: a writer
-- reads what it judges under the lock (desk roles may not lock rows
-- themselves: FOR UPDATE needs UPDATE on the table).
CREATE FUNCTION lock_ticket(ticket text) RETURNS SETOF tickets
LANGUAGE plpgsql SECURITY DEFINER SET search_path = refund_desk, pg_catalog AS $$
BEGIN
    PERFORM require_role('agent');
    RETURN QUERY SELECT * FROM tickets WHERE id = ticket FOR UPDATE;
END $$;

REVOKE ALL ON ALL TABLES IN SCHEMA refund_desk FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA refund_desk FROM PUBLIC;
GRANT SELECT ON moves, move_fields TO {agent}, {supervisor};
GRANT EXECUTE ON FUNCTION lock_ticket(text) TO {agent}, {supervisor};
GRANT EXECUTE ON FUNCTION set_thresholds(text) TO {supervisor};
GRANT SELECT ON policy_thresholds TO {agent}, {supervisor};
