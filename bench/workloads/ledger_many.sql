-- One ledger.transfer_many() call of :batch transfers of 0.01 USD between random, distinct
-- accounts; with -D hot_from=ID every item debits account ID, with -D hot_to=ID every item credits
-- it; with -D stripes=N each client draws only from its own N-th of the accounts (clients that
-- share no account never wait for each other). bench_transfer_many() (bench/setup.sql) builds
-- the arrays in the server.
\set stripe :client_id % :stripes
SELECT bench_transfer_many(:batch, :accounts, :hot_from, :hot_to, :stripe, :stripes);
