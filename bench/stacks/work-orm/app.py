"""A shop on Flask + SQLAlchemy (ORM) + psycopg2, for bench/work-power.

GET /test picks a random customer, looks them up by e-mail and answers their 10 latest orders with
each order's product: 2 statements per request (the customer; the orders joined with their products),
11 rows, through a pool of connections per worker (SQLAlchemy's QueuePool) to PgBouncer.

WORK_INJECT chooses one change to the database work (empty: none):
- n+1         the products are not joined but loaded lazily, one statement per order: 12 statements.
- row         the page has 11 orders instead of 10 (one more row).
- connection  no pool (NullPool): a new connection to PgBouncer per request.
- index       nothing here: models.py makes customers.email without its index.
"""

import os
import random

import flask
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.pool import NullPool

from models import Customer, Order, database_url

INJECT = os.environ.get("WORK_INJECT", "")
if INJECT not in ("", "n+1", "row", "connection", "index"):
    raise SystemExit(f"WORK_INJECT={INJECT!r}: expected one of '', 'n+1', 'row', 'connection', 'index'")
CUSTOMERS = 20_000  # as seed.sql makes them
PAGE = 11 if INJECT == "row" else 10

engine = create_engine(database_url(), **({"poolclass": NullPool} if INJECT == "connection" else {}))
app = flask.Flask(__name__)


@app.get("/test")
def test():
    email = f"c{random.randint(1, CUSTOMERS)}@example.com"
    with Session(engine) as session:
        customer = session.scalars(select(Customer).where(Customer.email == email)).one()
        latest = select(Order).where(Order.customer_id == customer.id).order_by(Order.id.desc()).limit(PAGE)
        if INJECT != "n+1":
            latest = latest.options(joinedload(Order.product))
        orders = session.scalars(latest).all()
        return {
            "customer": customer.name,
            "orders": [{"id": o.id, "product": o.product.name, "total": str(o.total)} for o in orders],
        }
