-- loadgate: schema for the "Async Python is not faster" rows.
-- One table, looked up by primary key on every GET /test.
DROP TABLE IF EXISTS test;
CREATE TABLE test (
    a integer PRIMARY KEY,
    b text    NOT NULL
);
