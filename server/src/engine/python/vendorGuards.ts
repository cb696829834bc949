// Operations lists built per database: `if connection.vendor == "postgresql": operations += [...]`. A branch's
// guard is the set of vendors it runs for (undefined: every vendor), so the engine analyses the operations the
// configured database would really run and no others.
import type { Expr } from './model';

/** The values Django's `connection.vendor` takes. */
const ALL_VENDORS = ['postgresql', 'mysql', 'sqlite', 'oracle'] as const;

/** Vendors a branch runs for; undefined means every vendor (no guard). */
export type VendorSet = readonly string[] | undefined;

/** The vendors an `if` condition selects, or undefined when it is not a test of `<...>.vendor`. */
export function vendorsOfCondition(condition: Expr): VendorSet {
  if (condition.kind !== 'binary') return undefined;
  const { left, right } = condition;
  const operator = condition.operator.replace(/\s+/g, ' ');
  const vendorSide = isVendorName(left) ? right : isVendorName(right) ? left : undefined;
  if (!vendorSide) return undefined;
  const named = vendorStrings(vendorSide);
  if (!named) return undefined;
  if (operator === '==' || operator === 'in') return named;
  if (operator === '!=' || operator === 'not in') return complement(named);
  return undefined;
}

function isVendorName(expr: Expr): boolean {
  return expr.kind === 'name' && (expr.dotted === 'vendor' || expr.dotted.endsWith('.vendor'));
}

function vendorStrings(expr: Expr): string[] | undefined {
  if (expr.kind === 'string' && !expr.formatted) return [expr.value];
  if (expr.kind === 'tuple' || expr.kind === 'list' || expr.kind === 'set') {
    const values = expr.items.map((item) => (item.kind === 'string' && !item.formatted ? item.value : undefined));
    return values.every((value) => value !== undefined) ? (values as string[]) : undefined;
  }
  return undefined;
}

export function complement(vendors: VendorSet): VendorSet {
  if (vendors === undefined) return [];
  return ALL_VENDORS.filter((vendor) => !vendors.includes(vendor));
}

export function intersect(a: VendorSet, b: VendorSet): VendorSet {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.filter((vendor) => b.includes(vendor));
}

export function union(a: VendorSet, b: VendorSet): VendorSet {
  if (a === undefined || b === undefined) return undefined;
  return [...new Set([...a, ...b])];
}

export function runsOn(vendors: VendorSet, database: string): boolean {
  return vendors === undefined || vendors.includes(database);
}
