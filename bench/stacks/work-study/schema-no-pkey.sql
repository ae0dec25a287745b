-- bench/stacks/work-study: stacks/common/schema.sql with the index of the looked-up column dropped
-- (no primary key), as an edit of the schema file drops it. Used by index-in-schema.yml.
DROP TABLE IF EXISTS test;
CREATE TABLE test (
    a integer NOT NULL,
    b text    NOT NULL
);
