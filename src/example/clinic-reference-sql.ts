import type { ClinicSizes } from './clinic-sizes.js';

/**
 * Views that generate the clinic reference tables (cities, clinics, doctors, patients,
 * pharmacies, products) from the random macros. Views, not tables: they are cheap to
 * recompute and keep nothing in memory between COPY statements.
 */

const CITIES: readonly (readonly [string, string, string, number, number, number])[] = [
  ['New York', 'NY', 'Northeast', 8336817, 40.7128, -74.006],
  ['Los Angeles', 'CA', 'West', 3822238, 34.0522, -118.2437],
  ['Chicago', 'IL', 'Midwest', 2665039, 41.8781, -87.6298],
  ['Houston', 'TX', 'South', 2302878, 29.7604, -95.3698],
  ['Phoenix', 'AZ', 'West', 1644409, 33.4484, -112.074],
  ['Philadelphia', 'PA', 'Northeast', 1567258, 39.9526, -75.1652],
  ['San Antonio', 'TX', 'South', 1472909, 29.4241, -98.4936],
  ['San Diego', 'CA', 'West', 1381162, 32.7157, -117.1611],
  ['Dallas', 'TX', 'South', 1299544, 32.7767, -96.797],
  ['Austin', 'TX', 'South', 974447, 30.2672, -97.7431],
  ['Jacksonville', 'FL', 'South', 971319, 30.3322, -81.6557],
  ['Columbus', 'OH', 'Midwest', 907971, 39.9612, -82.9988],
  ['Charlotte', 'NC', 'South', 897720, 35.2271, -80.8431],
  ['Indianapolis', 'IN', 'Midwest', 880621, 39.7684, -86.1581],
  ['Seattle', 'WA', 'West', 749256, 47.6062, -122.3321],
  ['Denver', 'CO', 'West', 713252, 39.7392, -104.9903],
  ['Nashville', 'TN', 'South', 683622, 36.1627, -86.7816],
  ['Boston', 'MA', 'Northeast', 650706, 42.3601, -71.0589],
  ['Portland', 'OR', 'West', 635067, 45.5152, -122.6784],
  ['Detroit', 'MI', 'Midwest', 620376, 42.3314, -83.0458],
];

/** [active ingredient, category, requires prescription, base price of a 20-unit pack] */
const INGREDIENTS: readonly (readonly [string, string, boolean, number])[] = [
  ['Paracetamol', 'Pain relief', false, 3.5],
  ['Ibuprofen', 'Pain relief', false, 4.2],
  ['Aspirin', 'Pain relief', false, 3.0],
  ['Naproxen', 'Pain relief', false, 6.5],
  ['Cetirizine', 'Allergy', false, 5.8],
  ['Loratadine', 'Allergy', false, 6.2],
  ['Fexofenadine', 'Allergy', false, 9.9],
  ['Omeprazole', 'Digestive health', false, 8.4],
  ['Loperamide', 'Digestive health', false, 5.1],
  ['Oral rehydration salts', 'Digestive health', false, 4.4],
  ['Amoxicillin', 'Antibiotics', true, 12.5],
  ['Azithromycin', 'Antibiotics', true, 18.9],
  ['Doxycycline', 'Antibiotics', true, 15.2],
  ['Atorvastatin', 'Cardiovascular', true, 14.0],
  ['Amlodipine', 'Cardiovascular', true, 9.5],
  ['Lisinopril', 'Cardiovascular', true, 8.8],
  ['Metformin', 'Diabetes', true, 7.9],
  ['Insulin glargine', 'Diabetes', true, 64.0],
  ['Sertraline', 'Mental health', true, 16.4],
  ['Escitalopram', 'Mental health', true, 18.2],
  ['Levothyroxine', 'Hormones', true, 11.3],
  ['Salbutamol inhaler', 'Respiratory', true, 13.6],
  ['Fluticasone spray', 'Respiratory', true, 22.5],
  ['Vitamin D3', 'Vitamins', false, 7.5],
  ['Multivitamin', 'Vitamins', false, 9.0],
  ['Zinc lozenges', 'Cold and flu', false, 6.9],
  ['Hydrocortisone cream', 'Skin care', false, 5.5],
  ['Benzoyl peroxide gel', 'Skin care', false, 8.1],
  ['Isotretinoin', 'Skin care', true, 35.0],
  ['Melatonin', 'Sleep', false, 8.6],
];

export const FEMALE_NAMES = [
  'Emma',
  'Olivia',
  'Ava',
  'Sophia',
  'Isabella',
  'Mia',
  'Amelia',
  'Harper',
  'Evelyn',
  'Abigail',
  'Emily',
  'Grace',
  'Chloe',
  'Camila',
  'Aria',
  'Lucia',
  'Nora',
  'Zoe',
  'Maya',
  'Fatima',
  'Priya',
  'Mei',
  'Aisha',
  'Rosa',
];
export const MALE_NAMES = [
  'Liam',
  'Noah',
  'Oliver',
  'Elijah',
  'James',
  'William',
  'Benjamin',
  'Lucas',
  'Henry',
  'Alexander',
  'Mateo',
  'Daniel',
  'Michael',
  'Ethan',
  'Samuel',
  'David',
  'Joseph',
  'Omar',
  'Arjun',
  'Wei',
  'Kwame',
  'Diego',
  'Hiro',
  'Yusuf',
];
export const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Nguyen',
  'Patel',
  'Kim',
  'Chen',
];

/** A SQL string literal. */
export function lit(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A SQL list literal of strings. */
export function strList(items: readonly string[]): string {
  return `[${items.map(lit).join(', ')}]`;
}

export function referenceViewsSql(sizes: ClinicSizes, startDate: string): string[] {
  const start = `DATE ${lit(startDate)}`;
  const cityRows = CITIES.map(
    ([n, st, region, pop, lat, lon], i) => `(${i + 1}, ${lit(n)}, ${lit(st)}, ${lit(region)}, ${pop}, ${lat}, ${lon})`,
  );
  const ingredientRows = INGREDIENTS.map(([n, cat, rx, price], i) => `(${i}, ${lit(n)}, ${lit(cat)}, ${rx}, ${price})`);
  const nCities = CITIES.length;
  // A city drawn with skew: big cities get most clinics, pharmacies and patients.
  const city = (salt: string, id: string): string => `(zipf_rank(${id}, '${salt}', ${nCities}, 1.8) + 1)`;
  return [
    `create or replace view gen_cities as
     select city_id::INTEGER as city_id, city_name, state, region, population::INTEGER as population,
            latitude::DOUBLE as latitude, longitude::DOUBLE as longitude
     from (values ${cityRows.join(', ')}) t(city_id, city_name, state, region, population, latitude, longitude)`,

    `create or replace view gen_ingredients as
     select * from (values ${ingredientRows.join(', ')}) t(k, ingredient, category, requires_prescription, base_price)`,

    `create or replace view gen_clinics as
     select id as clinic_id,
            c.city_name || ' ' || choose(['Health Center', 'Family Clinic', 'Medical Group', 'Care Clinic'], id, 'cl_kind')
              || ' ' || id as clinic_name,
            c.city_id,
            (${start} - (365 + pick(id, 'cl_open', 365 * 15))::INTEGER) as opened_on,
            (4 + pick(id, 'cl_rooms', 17))::INTEGER as rooms
     from range(1, ${sizes.clinics + 1}) r(id)
     join gen_cities c on c.city_id = ${city('cl_city', 'id')}`,

    // Every fifth doctor works by video only (no clinic); the others are spread over clinics.
    `create or replace view gen_doctors as
     with d as (select id, rnd(id, 'd_sex') < 0.55 as female, rnd(id, 'd_spec') as u from range(1, ${sizes.doctors + 1}) r(id))
     select id as doctor_id,
            case when female then choose(${strList(FEMALE_NAMES)}, id, 'd_first') else choose(${strList(MALE_NAMES)}, id, 'd_first') end as first_name,
            choose(${strList(LAST_NAMES)}, id, 'd_last') as last_name,
            case when u < 0.40 then 'General practice' when u < 0.52 then 'Pediatrics' when u < 0.62 then 'Dermatology'
                 when u < 0.72 then 'Psychiatry' when u < 0.80 then 'Cardiology' when u < 0.88 then 'Gynecology'
                 when u < 0.94 then 'Endocrinology' else 'Orthopedics' end as specialty,
            case when id % 5 = 0 then NULL else (id % ${sizes.clinics}) + 1 end as clinic_id,
            (${start} - (30 + pick(id, 'd_hired', 365 * 20))::INTEGER) as hired_on
     from d`,

    // Wrinkles: ~1% without a city, ~20% uninsured (NULL plan), ~6% without an e-mail.
    `create or replace view gen_patients as
     with p as (
       select id, rnd(id, 'p_sex') as u_sex, rnd(id, 'p_plan') as u_plan,
              floor(95 * pow(rnd(id, 'p_age'), 1.15))::INTEGER as age
       from range(1, ${sizes.patients + 1}) r(id)
     ), named as (
       select *,
              case when u_sex < 0.51 then choose(${strList(FEMALE_NAMES)}, id, 'p_first') else choose(${strList(MALE_NAMES)}, id, 'p_first') end as first_name,
              choose(${strList(LAST_NAMES)}, id, 'p_last') as last_name
       from p
     )
     select id as patient_id, first_name, last_name,
            case when u_sex < 0.01 then NULL when u_sex < 0.51 then 'F' else 'M' end as sex,
            (${start} - (age * 365 + pick(id, 'p_bday', 365))::INTEGER) as birth_date,
            case when rnd(id, 'p_city_null') < 0.01 then NULL else ${city('p_city', 'id')} end as city_id,
            (${start} - (1 + pick(id, 'p_signup', 5 * 365))::INTEGER) as signup_date,
            case when u_plan < 0.20 then NULL when u_plan < 0.60 then 'basic' when u_plan < 0.90 then 'plus' else 'premium' end as insurance_plan,
            case when rnd(id, 'p_mail') < 0.06 then NULL else lower(first_name) || '.' || lower(last_name) || id || '@example.com' end as email
     from named`,

    // Wrinkle: ~35% independent pharmacies have no chain (NULL).
    `create or replace view gen_pharmacies as
     with ph as (
       select id, ${city('ph_city', 'id')} as city_id,
              case when rnd(id, 'ph_chain') < 0.35 then NULL else choose(['HealthPlus', 'MediCorner', 'CarePoint', 'GreenCross'], id, 'ph_chain_name') end as chain
       from range(1, ${sizes.pharmacies + 1}) r(id)
     )
     select id as pharmacy_id,
            coalesce(chain, choose(${strList(LAST_NAMES)}, id, 'ph_owner') || ' Family') || ' Pharmacy ' || c.city_name || ' #' || id as pharmacy_name,
            ph.city_id, chain,
            rnd(id, 'ph_24h') < 0.1 as is_24h,
            (${start} - (90 + pick(id, 'ph_open', 365 * 25))::INTEGER) as opened_on
     from ph join gen_cities c using (city_id)`,

    `create or replace view gen_products as
     with pr as (
       select id, (id - 1) % ${INGREDIENTS.length} as k,
              [10, 20, 30, 60, 90][1 + ((id - 1) // ${INGREDIENTS.length}) % 5] as pack_size,
              choose(['Acme Pharma', 'Northwind Labs', 'Bluebird Generics', 'Helix Health', 'Meridian Labs', 'Cedar Pharmaceuticals', 'Orion Generics', 'Vantage Pharma'], id, 'pr_maker') as manufacturer
       from range(1, ${sizes.products + 1}) r(id)
     )
     select id as product_id,
            i.ingredient || ' x' || pack_size || ' (' || manufacturer || ')' as product_name,
            i.ingredient as active_ingredient, i.category, pack_size::INTEGER as pack_size,
            round(i.base_price * pack_size / 20.0 * (0.8 + 0.4 * rnd(id, 'pr_price')), 2)::DECIMAL(10, 2) as unit_price,
            i.requires_prescription, manufacturer
     from pr join gen_ingredients i using (k)`,

    // Products that need a prescription, numbered 0.. for drawing from them.
    `create or replace view gen_rx_products as
     select row_number() over (order by product_id) - 1 as k, product_id from gen_products where requires_prescription`,

    // Doctors who see patients in a clinic, numbered 0.. for drawing appointments.
    `create or replace view gen_clinic_doctors as
     select row_number() over (order by doctor_id) - 1 as k, doctor_id, clinic_id from gen_doctors where clinic_id is not null`,
  ];
}
