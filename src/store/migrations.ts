/**
 * Schema migrations, applied in order and keyed by SQLite's `user_version`. A migration is
 * recorded (user_version bumped) in the same transaction that applies it, so a crash mid-way
 * leaves the previous version intact.
 */
export const MIGRATIONS: string[] = [
  // 1: tracks, sources, checkpoints, features
  `
  CREATE TABLE tracks (
    id            INTEGER PRIMARY KEY,
    sha256        TEXT UNIQUE,
    local_path    TEXT,
    artist        TEXT,
    title         TEXT,
    album         TEXT,
    release_date  TEXT,
    popularity    INTEGER CHECK (popularity IS NULL OR (popularity BETWEEN 0 AND 100)),
    duration      REAL,
    size          INTEGER,
    added_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  );
  CREATE INDEX tracks_artist_title ON tracks (lower(artist), lower(title));

  CREATE TABLE sources (
    source      TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('file', 'url', 'query')),
    track_id    INTEGER REFERENCES tracks(id) ON DELETE CASCADE,
    size        INTEGER,
    mtime_ms    REAL,
    status      TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'failed')),
    error       TEXT,
    meta        TEXT,
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  );
  CREATE INDEX sources_track ON sources (track_id);

  CREATE TABLE checkpoints (
    track_id     INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    stage        TEXT NOT NULL,
    params_hash  TEXT NOT NULL,
    input_sha    TEXT,
    status       TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    error        TEXT,
    attempts     INTEGER NOT NULL DEFAULT 1,
    ms           REAL,
    finished_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    PRIMARY KEY (track_id, stage)
  );

  CREATE TABLE features (
    track_id     INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    version      INTEGER NOT NULL,
    params_hash  TEXT NOT NULL,
    rows         INTEGER NOT NULL,
    cols         INTEGER NOT NULL,
    data         BLOB NOT NULL,
    meta         TEXT,
    PRIMARY KEY (track_id, name)
  );
  `,
  // 2: similarity result sets, their members, finished blocks and neighbours
  `
  CREATE TABLE sim_sets (
    id           INTEGER PRIMARY KEY,
    method       TEXT NOT NULL,
    params_hash  TEXT NOT NULL,
    params       TEXT NOT NULL,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    UNIQUE (method, params_hash)
  );
  CREATE TABLE sim_members (
    set_id     INTEGER NOT NULL REFERENCES sim_sets(id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    track_id   INTEGER NOT NULL,
    input_sha  TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (set_id, idx)
  );
  CREATE INDEX sim_members_track ON sim_members (set_id, track_id);
  CREATE TABLE sim_blocks (
    set_id  INTEGER NOT NULL REFERENCES sim_sets(id) ON DELETE CASCADE,
    i0 INTEGER NOT NULL, i1 INTEGER NOT NULL, j0 INTEGER NOT NULL, j1 INTEGER NOT NULL,
    data    BLOB NOT NULL,
    ms      REAL,
    PRIMARY KEY (set_id, i0, j0)
  );
  CREATE TABLE sim_plan (
    set_id  INTEGER NOT NULL REFERENCES sim_sets(id) ON DELETE CASCADE,
    i0 INTEGER NOT NULL, i1 INTEGER NOT NULL, j0 INTEGER NOT NULL, j1 INTEGER NOT NULL,
    diagonal INTEGER NOT NULL,
    PRIMARY KEY (set_id, i0, j0)
  );
  CREATE TABLE neighbours (
    set_id    INTEGER NOT NULL REFERENCES sim_sets(id) ON DELETE CASCADE,
    track_id  INTEGER NOT NULL,
    nearest   TEXT NOT NULL,
    farthest  TEXT NOT NULL,
    PRIMARY KEY (set_id, track_id)
  );
  CREATE TABLE sim_state (
    set_id       INTEGER PRIMARY KEY REFERENCES sim_sets(id) ON DELETE CASCADE,
    members_hash TEXT NOT NULL,
    k            INTEGER NOT NULL,
    finished_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  );
  `,
  // 3: run history
  `
  CREATE TABLE runs (
    id           INTEGER PRIMARY KEY,
    command      TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    status       TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
    report       TEXT
  );
  `,
  // 4: per-track statistics of a result set (timbre's mutual proximity), reused by queries
  `
  CREATE TABLE sim_track_stats (
    set_id    INTEGER NOT NULL REFERENCES sim_sets(id) ON DELETE CASCADE,
    track_id  INTEGER NOT NULL,
    mu        REAL NOT NULL,
    sd        REAL NOT NULL,
    PRIMARY KEY (set_id, track_id)
  );
  `,
  // 5: catalogue sources (deezer:, itunes:, jamendo:, archive:), their metadata, favourites
  `
  CREATE TABLE sources_v5 (
    source      TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('file', 'url', 'query', 'catalogue')),
    track_id    INTEGER REFERENCES tracks(id) ON DELETE CASCADE,
    size        INTEGER,
    mtime_ms    REAL,
    status      TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'failed')),
    error       TEXT,
    meta        TEXT,
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  );
  INSERT INTO sources_v5 SELECT source, kind, track_id, size, mtime_ms, status, error, meta, updated_at FROM sources;
  DROP TABLE sources;
  ALTER TABLE sources_v5 RENAME TO sources;
  CREATE INDEX sources_track ON sources (track_id);

  ALTER TABLE tracks ADD COLUMN isrc TEXT;
  ALTER TABLE tracks ADD COLUMN licence TEXT;
  ALTER TABLE tracks ADD COLUMN cover_url TEXT;
  ALTER TABLE tracks ADD COLUMN link TEXT;
  ALTER TABLE tracks ADD COLUMN audio_url TEXT;
  ALTER TABLE tracks ADD COLUMN is_preview INTEGER;
  ALTER TABLE tracks ADD COLUMN stated_duration REAL;
  ALTER TABLE tracks ADD COLUMN match_key TEXT;
  CREATE INDEX tracks_isrc ON tracks (isrc) WHERE isrc IS NOT NULL;
  CREATE INDEX tracks_match_key ON tracks (match_key) WHERE match_key IS NOT NULL;

  CREATE TABLE likes (
    track_id  INTEGER PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
    via       TEXT NOT NULL,
    added_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  );
  `,
  // 6: ratings (thumbs up/down on a recommendation), append-only: every click is a row and the
  // latest row per (query, track) is the one in force (src/store/ratings.ts). A query is a stored
  // track (query_track_id, with its sha256 at the time) or an outside file (query_sha256 only).
  `
  CREATE TABLE ratings (
    id              INTEGER PRIMARY KEY,
    query_track_id  INTEGER REFERENCES tracks(id) ON DELETE CASCADE,
    query_sha256    TEXT,
    query_label     TEXT,
    track_id        INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    method          TEXT NOT NULL,
    rank            INTEGER CHECK (rank IS NULL OR rank >= 1),
    value           INTEGER NOT NULL CHECK (value IN (-1, 0, 1)),
    session         TEXT,
    rated_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    CHECK (query_track_id IS NOT NULL OR query_sha256 IS NOT NULL)
  );
  CREATE INDEX ratings_query_track ON ratings (query_track_id, track_id);
  CREATE INDEX ratings_query_sha ON ratings (query_sha256, track_id) WHERE query_track_id IS NULL;
  CREATE INDEX ratings_track ON ratings (track_id);
  CREATE INDEX ratings_session ON ratings (session) WHERE session IS NOT NULL;
  `,
  // 7: pair distances of a shortlisted sequence set (dtw/fastdtw --shortlist N), one row per pair
  // of members; a is the member of the smaller track id, and the distance is method(a, b). NULL
  // stands for a NaN distance. Rows are never updated: a member's content is fixed (a changed
  // track becomes a new member), so a stored pair is final (src/pipeline/similarity/shortlist-stage.ts).
  `
  CREATE TABLE sim_pairs (
    set_id    INTEGER NOT NULL REFERENCES sim_sets(id) ON DELETE CASCADE,
    a         INTEGER NOT NULL,
    b         INTEGER NOT NULL,
    distance  REAL,
    PRIMARY KEY (set_id, a, b)
  ) WITHOUT ROWID;
  `,
  // 8: per-track statistics in several parts (the blocks method: mean and spread of each
  // block-level pattern's distances, for its distance space normalisation), JSON [mu, sd, ...]
  `
  ALTER TABLE sim_track_stats ADD COLUMN parts TEXT;
  `,
  // 9: the ANN index of a per-track vector (yasr similarity --candidates): what its file holds
  // (src/pipeline/similarity/ann-index.ts). One row per vector; `definition` hashes what the
  // vectors mean (vector, features version, standardisation, backend and its options), fit_mean
  // and fit_std are the z-score fit frozen when it was built over `fitted` tracks, `churn` counts
  // the tracks added and removed since, and the file is <db>.ann/<vector>-<definition>-g<generation>.index
  // (none for a :memory: database). ann_members: the tracks in the file, with their analysed content.
  `
  CREATE TABLE ann_indexes (
    id          INTEGER PRIMARY KEY,
    vector      TEXT NOT NULL UNIQUE,
    definition  TEXT NOT NULL,
    params      TEXT NOT NULL,
    backend     TEXT NOT NULL,
    dim         INTEGER NOT NULL,
    fit_mean    BLOB NOT NULL,
    fit_std     BLOB NOT NULL,
    fitted      INTEGER NOT NULL,
    churn       INTEGER NOT NULL DEFAULT 0,
    generation  INTEGER NOT NULL,
    built_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  );
  CREATE TABLE ann_members (
    index_id   INTEGER NOT NULL REFERENCES ann_indexes(id) ON DELETE CASCADE,
    track_id   INTEGER NOT NULL,
    input_sha  TEXT NOT NULL,
    PRIMARY KEY (index_id, track_id)
  ) WITHOUT ROWID;
  `,
  // 10: packs, copies of catalogue-wide data in one blob each (a feature of every analysed track,
  // src/pipeline/similarity/packs.ts) so that recommend reads one row instead of thousands. A pack
  // holds for the generation it was made at; any change to features or checkpoints moves the
  // generation on (and drops the packs), so a pack is never read stale (src/store/packs.ts).
  // tracks_filters: what recommend's filters read of every track, without its whole row.
  `
  CREATE INDEX tracks_filters ON tracks (artist, popularity, release_date);
  CREATE TABLE pack_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  INTEGER NOT NULL
  );
  INSERT INTO pack_state (id, generation) VALUES (1, 0);
  CREATE TABLE packs (
    key         TEXT PRIMARY KEY,
    generation  INTEGER NOT NULL,
    data        BLOB NOT NULL
  );
  CREATE TRIGGER features_insert_packs AFTER INSERT ON features BEGIN
    UPDATE pack_state SET generation = generation + 1; DELETE FROM packs;
  END;
  CREATE TRIGGER features_update_packs AFTER UPDATE ON features BEGIN
    UPDATE pack_state SET generation = generation + 1; DELETE FROM packs;
  END;
  CREATE TRIGGER features_delete_packs AFTER DELETE ON features BEGIN
    UPDATE pack_state SET generation = generation + 1; DELETE FROM packs;
  END;
  CREATE TRIGGER checkpoints_insert_packs AFTER INSERT ON checkpoints BEGIN
    UPDATE pack_state SET generation = generation + 1; DELETE FROM packs;
  END;
  CREATE TRIGGER checkpoints_update_packs AFTER UPDATE ON checkpoints BEGIN
    UPDATE pack_state SET generation = generation + 1; DELETE FROM packs;
  END;
  CREATE TRIGGER checkpoints_delete_packs AFTER DELETE ON checkpoints BEGIN
    UPDATE pack_state SET generation = generation + 1; DELETE FROM packs;
  END;
  `,
  // 11: the task queue (src/store/tasks.ts): work that `yasr worker` processes on one database
  // share under leases (src/pipeline/worker/). `key` makes enqueueing idempotent
  // (features:<track>:<params hash>:<sha>, block:<set>:<i0>:<j0>); `job` names the run that
  // enqueued it; payload is JSON. A task is pending, running (held by lease_owner until
  // lease_until), done or failed (error: the last reason). Times in epoch milliseconds are REAL
  // (exact for integers up to 2^53, a double precision on PostgreSQL, where INTEGER is 32-bit).
  `
  CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY,
    job          TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('features', 'sim-block')),
    key          TEXT NOT NULL UNIQUE,
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    lease_owner  TEXT,
    lease_until  REAL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    enqueued_ms  REAL NOT NULL,
    claimed_ms   REAL,
    finished_ms  REAL,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
  );
  CREATE INDEX tasks_status ON tasks (status, id);
  CREATE INDEX tasks_job ON tasks (job, status);
  `,
];
