-- bench/stacks/work-orm: 1,000 products, 20,000 customers, 12 orders each (240,000), deterministic.
-- A customer's orders are consecutive and each names another product, so loading their products
-- one by one (the N+1) takes one statement per order.
SET synchronous_commit = off;
INSERT INTO products (id, name) SELECT i, 'product ' || i FROM generate_series(1, 1000) AS i;
INSERT INTO customers (id, email, name)
SELECT i, 'c' || i || '@example.com', 'customer ' || i FROM generate_series(1, 20000) AS i;
INSERT INTO orders (id, customer_id, product_id, total)
SELECT i, (i - 1) / 12 + 1, (i - 1) % 1000 + 1, (i % 997) + 0.99 FROM generate_series(1, 240000) AS i;
