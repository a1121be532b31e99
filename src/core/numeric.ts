/** x², as a product: `x ** 2` compiles to a pow call in V8, several times slower in hot loops. */
export function sq(x: number): number {
  return x * x;
}
