/**
 * How big the clinic data set is at a given scale. Entity counts and daily volumes grow
 * linearly with `scale`; the minimums keep tiny scales usable (every table non-empty, every
 * day present). Cities are a fixed reference list and do not scale.
 */
export interface ClinicSizes {
  readonly patients: number;
  readonly doctors: number;
  readonly clinics: number;
  readonly pharmacies: number;
  readonly products: number;
  /** Average events per weekday before weekday, growth and noise factors. */
  readonly dailyOrders: number;
  readonly dailyConsultations: number;
  readonly dailyAppointments: number;
}

const BASE = {
  patients: [100_000, 200],
  doctors: [200, 5],
  clinics: [10, 2],
  pharmacies: [40, 3],
  products: [240, 30],
  dailyOrders: [2_400, 1],
  dailyConsultations: [1_300, 1],
  dailyAppointments: [1_500, 1],
} as const satisfies Record<keyof ClinicSizes, readonly [number, number]>;

export function clinicSizes(scale: number): ClinicSizes {
  const size = (key: keyof ClinicSizes): number => {
    const [base, min] = BASE[key];
    return Math.max(min, Math.round(base * scale));
  };
  return Object.freeze({
    patients: size('patients'),
    doctors: size('doctors'),
    clinics: size('clinics'),
    pharmacies: size('pharmacies'),
    products: size('products'),
    dailyOrders: size('dailyOrders'),
    dailyConsultations: size('dailyConsultations'),
    dailyAppointments: size('dailyAppointments'),
  });
}
