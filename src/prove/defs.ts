// Which definitions of the generated module a step of the generated TypeOK
// proof needs unfolded. Citing every value set in every step made Z3 time out
// on steps it proves in under a second when given only the definitions the
// action and the variable's type mention (PBFTNormal's `handled`, `done` and
// `pool` after Replica.Execute): each definition unfolded is more for the
// backend to instantiate. The module text is read, not re-derived, so the
// lists follow the translation whatever it writes.

/** The module's top-level definitions: name -> the text of its right-hand side. */
export function moduleDefinitions(text: string): Map<string, string> {
  const defs = new Map<string, string>();
  let name: string | null = null;
  let body: string[] = [];
  const flush = (): void => {
    if (name !== null && !defs.has(name)) defs.set(name, body.join('\n'));
    name = null;
    body = [];
  };
  for (const line of text.split('\n')) {
    const head = /^([A-Za-z_][A-Za-z0-9_]*)(\([^)]*\))?\s*==(.*)$/.exec(line);
    if (head !== null) {
      flush();
      name = head[1]!;
      body = [head[3]!];
    } else if (line.trim() === '' || /^\S/.test(line)) {
      // A blank line, a comment or another declaration at column 0 ends a definition.
      flush();
    } else if (name !== null) {
      body.push(line);
    }
  }
  flush();
  return defs;
}

/** The names in `text` that are among `names`. */
export function namesIn(text: string, names: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) if (names.has(m[0])) out.add(m[0]);
  return out;
}

/**
 * The definitions among `allowed` that the texts mention, and those they
 * mention in turn (T_Commit mentions T_Request), in `allowed`'s order.
 */
export function neededDefinitions(texts: readonly string[], defs: ReadonlyMap<string, string>, allowed: readonly string[]): string[] {
  const allow = new Set(allowed);
  const seen = new Set<string>();
  const queue = texts.flatMap((t) => [...namesIn(t, allow)]);
  while (queue.length > 0) {
    const n = queue.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    queue.push(...namesIn(defs.get(n) ?? '', allow));
  }
  return allowed.filter((n) => seen.has(n));
}

/** The record kinds an action matches on (`s.record.type = "Commit"`): it needs their record sets unfolded. */
export function matchedRecordSets(action: string): string[] {
  return [...new Set([...action.matchAll(/\.type = "([A-Za-z_][A-Za-z0-9_]*)"/g)].map((m) => `T_${m[1]}`))];
}

/** The parts of `TriggerInstances`, one per transition in the order the module writes them. */
export function triggerParts(defs: ReadonlyMap<string, string>): string[] {
  const body = defs.get('TriggerInstances');
  if (body === undefined) return [];
  return body
    .trim()
    .split(/\n\s*\\cup /)
    .map((s) => s.trim());
}

/**
 * The part of an action that says what `variable` becomes: the line that
 * sets `variable'`, and the LET definitions it uses, transitively (for
 * `done' = [done EXCEPT ![self__] = done__12]`, `done__12` and `done__9`).
 * Another variable's expressions (`apply` for `state`) are left out, so a
 * step unfolds only what its own value needs. Null when no line sets it.
 */
export function writeSlice(action: string, variable: string): string[] | null {
  const lines = action.split('\n');
  const set = lines.find((l) => l.includes(`${variable}' = `));
  if (set === undefined) return null;
  const lets = new Map<string, string>();
  for (const l of lines) {
    // `==` only ever defines (equality is `=`), wherever the line starts: `/\\ (LET stmt__1 == ...`.
    const m = /([A-Za-z_][A-Za-z0-9_]*) == (.*)$/.exec(l);
    if (m !== null) lets.set(m[1]!, m[2]!);
  }
  const names = new Set(lets.keys());
  const out = [set];
  const seen = new Set<string>();
  const queue = [...namesIn(set, names)];
  while (queue.length > 0) {
    const n = queue.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    const text = lets.get(n)!;
    out.push(text);
    queue.push(...namesIn(text, names));
  }
  // A record built here (Mk_Reply(...)) must be shown to lie in its record set (T_Reply).
  for (const m of out.join('\n').matchAll(/\bMk_([A-Za-z_][A-Za-z0-9_]*)\(/g)) out.push(`T_${m[1]}`);
  return out;
}

/**
 * Whether the texts read a field of a record's field (`cm.m.id`): then the
 * inner record's set must be unfolded too (T_Commit says `m: T_Request`,
 * T_Request says what `id` is). Unfolding a record set no step reads into
 * is what made Z3 time out on `done' \in [R -> SUBSET T_Request]` for
 * `done \cup {cm.m}`. A statement's record (`s__1.record`) counts as the
 * record itself.
 */
export function readsNestedField(texts: readonly string[]): boolean {
  for (const t of texts) {
    for (const m of t.matchAll(/\b[A-Za-z_][A-Za-z0-9_]*((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      const fields = m[1]!.split('.').slice(1);
      const depth = /^(?:s|st)__\d+$/.test(m[0].split('.')[0]!) && fields[0] === 'record' ? fields.length - 1 : fields.length;
      if (depth >= 2) return true;
    }
  }
  return false;
}

/**
 * Whether the texts read a field of a record (`pp.seqNo`, `cm.m`,
 * `s__1.record.m`); a statement's own fields (`s__1.issuer`), the record of a
 * statement taken whole (`s__1.record`) and its kind (`.type`) do not count.
 * Read over the whole action, guards included (Execute's
 * `g__2.seqNo = lastExec + 1` bounds `lastExec`). Only then must the set of a
 * record the action matches on be unfolded: PBFTNormal's AssignSeqNo stores
 * `req` whole, and with `T_Request` unfolded Z3 timed out on its `accepted`
 * step, which it proves in 0.6 s without (given nextSeq >= 1).
 */
export function readsRecordField(texts: readonly string[]): boolean {
  for (const t of texts) {
    for (const m of t.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      let fields = m[2]!.split('.').slice(1);
      // A statement: s__1, st__5, or the st__ of known's update.
      if (/^(?:s|st)__\d*$/.test(m[1]!)) {
        if (fields[0] !== 'record') continue;
        fields = fields.slice(1);
      }
      // The kind test every match makes (`.type = "Commit"`) reads no field a type depends on.
      if (fields.length >= 1 && !(fields.length === 1 && fields[0] === 'type')) return true;
    }
  }
  return false;
}
