import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { copyTo } from './duckdb-query.js';
import { model, writeFile, writeProject } from './temp-project.js';

/**
 * A small inline project: customers (CSV), orders (hive-partitioned Parquet by day), a
 * dimension, a partitioned fact and two reports. `days` daily partitions of `perDay` orders.
 */
export async function shopProject(opts: { days?: number; perDay?: number; config?: string } = {}) {
  const days = opts.days ?? 5;
  const perDay = opts.perDay ?? 200;
  const p = writeProject({
    'sluice.yaml': `name: shop\n${opts.config ?? ''}`,
    'sources/shop.yml': [
      'sources:',
      '  customers:',
      '    format: csv',
      '    path: data/customers.csv',
      '    description: Customers',
      '  orders:',
      '    format: parquet',
      '    path: data/orders',
      '    hive_partitioning: true',
      '',
    ].join('\n'),
    'models/dim_customers.sql': model(
      { type: 'dimension', business_unit: 'sales' },
      'select customer_id, upper(name) as name, city from customers',
    ),
    'models/fct_orders.sql': model(
      { type: 'fact', business_unit: 'sales', partition_by: ['order_date'] },
      'select o.order_id, o.order_date, o.customer_id, c.city, o.amount\nfrom orders o\njoin dim_customers c using (customer_id)',
    ),
    'models/rpt_daily.sql': model(
      { type: 'report', business_unit: 'sales', tags: ['daily'] },
      'select order_date, city, count(*) as orders, sum(amount) as revenue\nfrom fct_orders\ngroup by all',
    ),
    'models/rpt_city.sql': model(
      { type: 'report', business_unit: 'sales' },
      'select city, sum(revenue) as revenue from rpt_daily group by city',
    ),
  });
  mkdirSync(join(p.root, 'data'), { recursive: true });
  await copyTo(
    `SELECT i AS customer_id, 'cust ' || i AS name, (['Lyon', 'Paris', 'Nice'])[1 + i % 3] AS city FROM range(50) t(i)`,
    join(p.root, 'data/customers.csv'),
    'FORMAT csv, HEADER true',
  );
  await copyTo(
    `SELECT i AS order_id, DATE '2024-01-01' + (i % ${days})::INT AS order_date, (i * 7) % 50 AS customer_id, round((i % 97) * 1.5, 2)::DECIMAL(10,2) AS amount FROM range(${days * perDay}) t(i)`,
    join(p.root, 'data/orders'),
    'FORMAT parquet, PARTITION_BY (order_date)',
  );
  return {
    ...p,
    warehouse: join(p.root, 'warehouse'),
    write: (rel: string, content: string) => writeFile(p.root, rel, content),
  };
}

export { model };
