BEGIN TRANSACTION;
CREATE TABLE aliases (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL
);
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    day TEXT NOT NULL,
    paragraphs TEXT NOT NULL,
    summary TEXT NOT NULL,
    source_url TEXT,
    agency TEXT,
    news_id INTEGER,
    order_id INTEGER NOT NULL,
    language TEXT NOT NULL,
    category TEXT NOT NULL,
    category_label TEXT NOT NULL,
    topics TEXT NOT NULL,
    published_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    first_file TEXT NOT NULL,
    first_line INTEGER NOT NULL
);
INSERT INTO "articles" VALUES('urn:uuid:f0cec904-a6b2-5743-bbdb-26cd089ce73e','First article','2026-02-01','["Its body."]','Its body.','https://www.gov.kz/memleket/entities/mfa/press/news/details/100?lang=kk','mfa',100,100,'en','world','World','[]',1769929200000000,1769929200000000,'bd347438700a403cc3d82e09ab55a3cecf1502ae542c4f5b2614e363e42f9254','001_a.txt',5);
CREATE TABLE feeds (
    path TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    label TEXT NOT NULL,
    next_seq INTEGER NOT NULL DEFAULT 0,
    entry_count INTEGER NOT NULL DEFAULT 0,
    dirty INTEGER NOT NULL DEFAULT 1,
    archived_before INTEGER NOT NULL DEFAULT 0,
    rendered_with TEXT NOT NULL DEFAULT '',
    latest_title TEXT NOT NULL DEFAULT '',
    latest_published INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "feeds" VALUES('all','all','','',1,1,0,0,'09c3d6cf4893fa7e','First article',1769929200000000);
INSERT INTO "feeds" VALUES('lang/en','lang','en','',1,1,0,0,'09c3d6cf4893fa7e','First article',1769929200000000);
INSERT INTO "feeds" VALUES('category/world','category','world','World',1,1,0,0,'09c3d6cf4893fa7e','First article',1769929200000000);
INSERT INTO "feeds" VALUES('category/world/en','category-lang','world/en','World',1,1,0,0,'09c3d6cf4893fa7e','First article',1769929200000000);
INSERT INTO "feeds" VALUES('agency/mfa','agency','mfa','',1,1,0,0,'09c3d6cf4893fa7e','First article',1769929200000000);
CREATE TABLE members (
    feed TEXT NOT NULL,
    seq INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (feed, seq)
) WITHOUT ROWID;
INSERT INTO "members" VALUES('agency/mfa',0,'urn:uuid:f0cec904-a6b2-5743-bbdb-26cd089ce73e');
INSERT INTO "members" VALUES('all',0,'urn:uuid:f0cec904-a6b2-5743-bbdb-26cd089ce73e');
INSERT INTO "members" VALUES('category/world',0,'urn:uuid:f0cec904-a6b2-5743-bbdb-26cd089ce73e');
INSERT INTO "members" VALUES('category/world/en',0,'urn:uuid:f0cec904-a6b2-5743-bbdb-26cd089ce73e');
INSERT INTO "members" VALUES('lang/en',0,'urn:uuid:f0cec904-a6b2-5743-bbdb-26cd089ce73e');
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO "meta" VALUES('classification','288fd2d209d78e3b');
INSERT INTO "meta" VALUES('publishing','done');
INSERT INTO "meta" VALUES('site_signature','f0c7e325bf6c75f1');
CREATE TABLE pending (
    feed TEXT NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (feed, article_id)
) WITHOUT ROWID;
CREATE TABLE removed (
    feed TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (feed, seq)
) WITHOUT ROWID;
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    finished_at REAL NOT NULL,
    summary TEXT NOT NULL
);
INSERT INTO "runs" VALUES(1,1795600000.0,'files: 1 seen, 1 read (1 new, 0 changed), 0 unchanged, 0 still being written, 0 rejected; articles: 1 new, 0 updated, 0 unchanged, 0 merged as duplicates, 0 removed by retention, 0 reclassified, 1 records skipped; output files: 26 written, 0 unchanged, 0 removed; 0.04 s');
CREATE TABLE seed_files (
    name TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    problems TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO "seed_files" VALUES('001_a.txt',164,1769990400000000000,'d41b694c1040618f90c46df7327dd4a173e25352f62c3432d25f44a2ee60a78a','["001_a.txt:7: record skipped: impossible date 31.02.2026 (day is out of range for month)"]');
CREATE TABLE websub_queue (
    url TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at REAL NOT NULL DEFAULT 0
);
CREATE INDEX articles_by_day ON articles (day, published_us);
CREATE INDEX articles_recent ON articles (published_us);
CREATE INDEX aliases_by_article ON aliases (article_id);
CREATE INDEX members_by_article ON members (article_id);
CREATE INDEX pending_by_article ON pending (article_id);
CREATE TRIGGER member_added AFTER INSERT ON members BEGIN
    UPDATE feeds SET entry_count = entry_count + 1 WHERE path = NEW.feed;
END;
CREATE TRIGGER member_removed AFTER DELETE ON members BEGIN
    UPDATE feeds SET entry_count = entry_count - 1, dirty = 1 WHERE path = OLD.feed;
    INSERT OR IGNORE INTO removed (feed, seq) VALUES (OLD.feed, OLD.seq);
END;
CREATE TRIGGER pending_added AFTER INSERT ON pending BEGIN
    UPDATE feeds SET entry_count = entry_count + 1, dirty = 1 WHERE path = NEW.feed;
END;
CREATE TRIGGER pending_removed AFTER DELETE ON pending BEGIN
    UPDATE feeds SET entry_count = entry_count - 1 WHERE path = OLD.feed;
END;
COMMIT;
PRAGMA user_version = 1;
