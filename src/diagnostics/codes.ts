// Every diagnostic the toolchain can emit, in one table. Codes are stable:
// a code is never reused for another meaning, and docs/language.md lists
// this table (a test keeps the two in step).

export type Severity = 'error' | 'warning';

export interface CodeInfo {
  readonly severity: Severity;
  /** One line saying what the code means, for the docs table. */
  readonly meaning: string;
}

export const CODES = {
  // Reading the input (0xx)
  MOM001: { severity: 'error', meaning: 'the file cannot be read (missing, unreadable)' },
  MOM002: { severity: 'error', meaning: 'the path is a directory, not a file' },
  MOM003: { severity: 'error', meaning: 'the file is not UTF-8 text (binary or another encoding)' },
  MOM004: { severity: 'error', meaning: 'the file is empty' },
  MOM005: { severity: 'error', meaning: 'the file is larger than the front end accepts (4 MiB)' },

  // Lexical and syntax (1xx)
  MOM100: { severity: 'error', meaning: 'a character that cannot start any token' },
  MOM101: { severity: 'error', meaning: 'a block comment that is never closed' },
  MOM102: { severity: 'error', meaning: 'an integer literal too large to be exact' },
  MOM110: { severity: 'error', meaning: 'a token other than the one the grammar expects here' },
  MOM111: { severity: 'error', meaning: 'a declaration cannot start with this token' },
  MOM112: { severity: 'error', meaning: 'expressions or blocks nested deeper than the limit (200)' },
  MOM113: { severity: 'warning', meaning: "a missing ',' between a pattern's verifier and auditor (the paper writes `[c C == 1, ME NOONE]`)" },
  MOM114: { severity: 'error', meaning: 'the program does not start with `PROGRAM Name`' },
  MOM115: { severity: 'error', meaning: 'too many errors; the rest of the file was not reported' },
  MOM116: { severity: 'error', meaning: 'a transition or body is missing its body spec `@@{ ... @@}`' },

  // Names (2xx)
  MOM200: { severity: 'error', meaning: 'a name that is not declared where it is used' },
  MOM201: { severity: 'error', meaning: 'a name declared twice in the same scope' },
  MOM202: { severity: 'error', meaning: 'a name used as a record type that is not a record type' },
  MOM203: { severity: 'error', meaning: 'a record has no field of this name' },
  MOM204: { severity: 'error', meaning: 'a record constructor or call with missing, extra or repeated arguments' },
  MOM205: { severity: 'error', meaning: 'a binder bound twice in one trigger' },
  MOM206: { severity: 'error', meaning: 'a model names a property, constant or principal the program does not declare' },
  MOM207: { severity: 'error', meaning: 'a principal named in two principal sets' },
  MOM208: { severity: 'error', meaning: 'a name used as a type that is not a type' },

  // Types (3xx)
  MOM300: { severity: 'error', meaning: 'an expression of the wrong type' },
  MOM301: { severity: 'error', meaning: 'a set was expected' },
  MOM302: { severity: 'error', meaning: 'a record was expected' },
  MOM303: { severity: 'error', meaning: 'a boolean condition was expected (guard, IF, invariant)' },
  MOM304: { severity: 'error', meaning: 'a principal or set of principals was expected' },
  MOM305: { severity: 'error', meaning: 'a message-to-message reference whose types differ (`m==req` with m and req of different record types)' },
  MOM306: { severity: 'error', meaning: 'a temporal operator where a state predicate is required' },
  MOM307: { severity: 'error', meaning: 'an integer was expected' },
  MOM308: { severity: 'error', meaning: 'a role variable read through a principal that runs no role, or a role without that variable' },
  MOM309: { severity: 'error', meaning: 'a value that is constant in the program is required here' },

  // Well-formedness (4xx)
  MOM400: { severity: 'error', meaning: 'a quorum threshold larger than its set, or smaller than 1' },
  MOM401: { severity: 'error', meaning: 'PUBLISH with an issuer other than ME' },
  MOM402: { severity: 'error', meaning: 'an assignment to a name that is not a variable of this role or a local' },
  MOM403: { severity: 'error', meaning: 'a type with no finite domain where the model checker must enumerate values' },
  MOM404: { severity: 'error', meaning: 'an empty or inverted range type' },
  MOM405: { severity: 'error', meaning: 'a function that calls itself, directly or through others' },
  MOM406: { severity: 'error', meaning: '`ME`, `KNOWN` or a role variable outside a role (functions are pure; properties quantify over principals)' },
  MOM407: { severity: 'error', meaning: 'a principal that runs two roles' },
  MOM408: { severity: 'error', meaning: '`NONE` as a PUBLISH auditor (NONE is a pattern\'s "no requirement"; a statement with no auditor is NOONE)' },
  MOM409: { severity: 'error', meaning: 'an issuer binder with a count other than 1 (`c C == 2`); use a quorum `Q C >= 2`' },
  MOM410: { severity: 'error', meaning: '`UNLESS` on a transition that is not a TIMEOUT, or a TIMEOUT without UNLESS' },
  MOM411: { severity: 'error', meaning: 'a faulty principal listed twice in a model, or both crashed and Byzantine' },
  MOM412: { severity: 'error', meaning: 'a SYMMETRY set with fewer than two members that nothing names one by one (nothing to permute)' },
  MOM413: { severity: 'error', meaning: 'a field of a quorum pattern left multivalent (`*`) is read, though its value differs between issuers' },
  MOM414: { severity: 'error', meaning: 'an initial value or constant outside its declared type' },
  MOM415: { severity: 'error', meaning: 'a Byzantine principal may send a record type that has no finite domain or does not exist' },
  MOM417: { severity: 'warning', meaning: 'a multivalent don\'t-care (`*`) outside a quorum pattern means the same as `_`' },
  MOM418: { severity: 'error', meaning: 'a role that runs on no principal, or a principal set that is empty' },
  MOM419: { severity: 'warning', meaning: 'the program declares no model, so nothing can be model-checked' },
  MOM420: { severity: 'error', meaning: 'a model\'s FUNCTION for a name the program does not leave to its implementation (not a declared function, or one the program defines)' },
  MOM421: { severity: 'error', meaning: 'a model that does not define a function the program leaves to its implementation (the checker needs its meaning)' },
  MOM422: { severity: 'error', meaning: 'a PUBLISH of a record carrying statements to verifiers or auditors outside a certificate field\'s auditors (V ∪ A not within the field\'s AUDIT set)' },
  MOM423: { severity: 'error', meaning: 'a statement type where statements cannot be held (a role variable, a parameter, a function, a constant)' },
  MOM430: { severity: 'error', meaning: 'a FORGET condition not shown stable: an atom other than `x <= v`, `x < v`, `v >= x`, `v > x` (v or v ± k), `x IN v`, `x SUBSETEQ v`, a boolean `v` or a table lookup `EXISTS s IN v : s.k == x AND x < s.f` (x of the statement alone, v a role variable) under AND and OR' },
  MOM431: { severity: 'error', meaning: 'a FORGET pattern of a trigger\'s form (a quorum, AS) or one that reads a role variable' },
  MOM432: { severity: 'error', meaning: 'ANSWER on a transition that is not an input (it has a WHEN pattern, no parameters, or is a TIMEOUT: only a call has an answer), or an ANSWER value that reads KNOWN' },
  MOM433: { severity: 'error', meaning: 'an ANSWER condition not shown stable: an atom other than `x <= v`, `x < v`, `v >= x`, `v > x` (v or v ± k), `x IN v`, `x SUBSETEQ v` or a boolean `v` (x of the call\'s parameters alone, v a role variable) under AND and OR' },

  // Model checking (5xx): found while running a program, reported with the
  // trace that reached the failing evaluation.
  MOM500: { severity: 'error', meaning: 'division or remainder by zero while running a transition or evaluating a property' },
  MOM501: { severity: 'error', meaning: 'a value outside its declared type (a variable, field, parameter or result) while running' },
  MOM502: { severity: 'error', meaning: 'a domain too large to enumerate (transition parameters, Byzantine statements): shrink the model' },
  MOM503: { severity: 'error', meaning: 'an expression that cannot be evaluated in this model (a constant with no value, a missing variable)' },
  MOM504: { severity: 'error', meaning: 'a temporal property of a shape the checker does not support ([]P, <>P, P ~> Q, []<>P, <>[]P under FORALL and AND)' },
  MOM505: { severity: 'error', meaning: 'a function the program leaves to its implementation that nothing supplies for this run (no --model defining it, no body program)' },
  MOM506: { severity: 'error', meaning: 'a correct node carries a statement it neither knows nor issued (a certificate must hold statements the node can show)' },
  MOM507: { severity: 'error', meaning: 'a worker thread of the parallel search failed (crashed, exited, or could not start): an internal error, exit 3' },
  MOM508: { severity: 'error', meaning: 'at run time, a step would make a variable a FORGET condition relies on go back (ForgetStable): the step is not taken, and the run reports it as a finding' },

  // Deployment and keys (6xx): deploy files, deploy-check, key files.
  MOM600: { severity: 'error', meaning: 'a deploy-file line that is not of its section\'s form' },
  MOM601: { severity: 'error', meaning: 'an unknown deploy-file section, or an entry before any section header' },
  MOM602: { severity: 'error', meaning: 'a deploy-file section that appears twice' },
  MOM603: { severity: 'error', meaning: 'a deploy file without a required section ([Nodes], [Authentication])' },
  MOM604: { severity: 'error', meaning: 'a node address that is not host:port, or a port outside 1..65535' },
  MOM605: { severity: 'error', meaning: 'two nodes at the same host:port' },
  MOM606: { severity: 'error', meaning: 'a deploy-file name that is not a principal, a principal set of the program, or a node' },
  MOM607: { severity: 'error', meaning: 'an unknown authentication mechanism, or one named in a section it does not belong to' },
  MOM608: { severity: 'error', meaning: 'a deploy-file entry given twice (a node, a pair\'s mechanism, an issuer\'s auditors, a timeout, a constant)' },
  MOM609: { severity: 'error', meaning: 'a program principal with no node in [Nodes]' },
  MOM610: { severity: 'error', meaning: 'a node that is neither a program principal nor a trusted third party named in [Non-repudiation]' },
  MOM611: { severity: 'error', meaning: 'a TTP that is not a node, is a program principal, or lacks the issuer or auditors among its clients' },
  MOM612: { severity: 'error', meaning: 'a [Timeouts] entry for a role or transition the program lacks, or for a transition that is not a TIMEOUT' },
  MOM613: { severity: 'error', meaning: 'a duration that is not a positive number of ms or s, or longer than a timer can wait' },
  MOM614: { severity: 'error', meaning: 'a [Constants] entry for an undeclared constant, or a value of the wrong type or outside its declared type' },
  MOM615: { severity: 'error', meaning: 'a [Dissemination] optimizer that does not exist or has wrong arguments (a target naming no principals, a batch of 0), an escalation timeout on BATCH or DIGEST, either given twice in a rule, or an undeclared record type' },
  MOM616: { severity: 'error', meaning: 'an OPTIMISTIC target that is not a verifier of a PUBLISH its rule covers (a relay would learn a statement the program never gives it)' },
  MOM617: { severity: 'error', meaning: 'an OPTIMISTIC target relaying statements whose authentication cannot be passed on (PLAINTEXT), with the PUBLISH, issuer and verifiers' },
  MOM618: { severity: 'error', meaning: 'DIGEST on a record type with no field that is a record (nothing to send by digest)' },
  MOM619: { severity: 'error', meaning: 'OPTIMISTIC(QUORUM) for a record type whose quorum size no pattern of the program gives' },
  MOM620: { severity: 'error', meaning: 'a PUBLISH whose statement no mechanism of the deployment can give (issuer, verifiers and auditors named)' },
  MOM621: { severity: 'error', meaning: 'a pattern requiring auditors that no mechanism of the deployment gives for the statements it matches' },
  MOM622: { severity: 'error', meaning: 'a PUBLISH of statements a certificate field may carry whose authenticator the field\'s auditors cannot check when it is passed on (a MAC or a channel, a TTP they are not clients of, or another mechanism than the one each auditor expects), naming the carrier\'s PUBLISH' },
  MOM625: { severity: 'error', meaning: 'a [Limits] entry that names no limit, or a value of the wrong kind or outside the limit\'s range' },
  MOM630: { severity: 'warning', meaning: 'a deployment constant no model checked (an integer larger than every model\'s, or a value no model used)' },
  MOM631: { severity: 'warning', meaning: 'a PUBLISH whose statements rely on a trusted third party (the models take it to be honest)' },
  MOM632: { severity: 'warning', meaning: 'a [Dissemination] rule, or a record type it names, that covers no PUBLISH of the program (probably a typo)' },
  MOM640: { severity: 'error', meaning: 'a key file that is missing or cannot be read' },
  MOM641: { severity: 'error', meaning: 'a key file that group or others can read (`chmod 600` it)' },
  MOM642: { severity: 'error', meaning: 'a key file that is not JSON' },
  MOM643: { severity: 'error', meaning: 'a key file of the wrong shape, or for another principal' },
  MOM644: { severity: 'error', meaning: 'a key that does not parse, or a private key that does not match its public key' },
  MOM645: { severity: 'error', meaning: 'a key file that already exists where `mommie keys` writes (it never overwrites), or a directory it cannot write' },

  // Body programs and assertions (7xx): mommie build --bodies, run --build.
  MOM700: { severity: 'error', meaning: 'a body program that does not type-check against the declarations generated from the program (the TypeScript error, at its line)' },
  MOM701: { severity: 'error', meaning: 'a body module that is not of the expected shape: no default export, or a transition its role lacks' },
  MOM702: { severity: 'error', meaning: 'an assertion violated at run time: a body program did not do what its body spec says (both locations, the binding, the two values)' },
  MOM703: { severity: 'error', meaning: 'a body program that failed at run time: it threw, or gave something that is no value of its type' },
  MOM704: { severity: 'error', meaning: 'a build that does not belong to this program (the program changed since `mommie build`), or that cannot be loaded' },
  MOM705: { severity: 'error', meaning: 'a body program that is not synchronous (an async function, await, a Promise, a generator as a body): a step is atomic' },
  MOM706: { severity: 'error', meaning: 'a body program step that did not finish within the build\'s bound on loop iterations and calls (`mommie build --work-limit`)' },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;
