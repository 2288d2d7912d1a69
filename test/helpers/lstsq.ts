/**
 * Small dense least squares for synth truth checks: β = (XᵀX + λI)⁻¹ Xᵀy by
 * Cholesky on the normal equations (p ≤ a few hundred). X is n×p row-major.
 */
export function ridgeSolve(X: Float64Array, n: number, p: number, ys: Float64Array[], lambda = 0): Float64Array[] {
  const A = new Float64Array(p * p);
  for (let i = 0; i < n; i++) {
    const row = i * p;
    for (let a = 0; a < p; a++) {
      const xa = X[row + a];
      if (xa === 0) continue;
      for (let b = a; b < p; b++) A[a * p + b] += xa * X[row + b];
    }
  }
  for (let a = 0; a < p; a++) {
    A[a * p + a] += lambda;
    for (let b = 0; b < a; b++) A[a * p + b] = A[b * p + a];
  }
  // Cholesky A = L Lᵀ in place (lower).
  for (let j = 0; j < p; j++) {
    let d = A[j * p + j];
    for (let k = 0; k < j; k++) d -= A[j * p + k] ** 2;
    if (!(d > 0)) throw new Error(`normal matrix not positive definite at ${j}`);
    const l = Math.sqrt(d);
    A[j * p + j] = l;
    for (let i = j + 1; i < p; i++) {
      let s = A[i * p + j];
      for (let k = 0; k < j; k++) s -= A[i * p + k] * A[j * p + k];
      A[i * p + j] = s / l;
    }
  }
  return ys.map((y) => {
    const b = new Float64Array(p);
    for (let i = 0; i < n; i++) for (let a = 0; a < p; a++) b[a] += X[i * p + a] * y[i];
    for (let i = 0; i < p; i++) {
      let s = b[i];
      for (let k = 0; k < i; k++) s -= A[i * p + k] * b[k];
      b[i] = s / A[i * p + i];
    }
    for (let i = p - 1; i >= 0; i--) {
      let s = b[i];
      for (let k = i + 1; k < p; k++) s -= A[k * p + i] * b[k];
      b[i] = s / A[i * p + i];
    }
    return b;
  });
}

/** Pearson correlation of two equal-length sequences. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
