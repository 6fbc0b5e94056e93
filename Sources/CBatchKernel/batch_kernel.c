#include "batch_kernel.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Never fuse a multiply and an add: the Swift loop this mirrors rounds each one.
#pragma clang fp contract(off)

#if !defined(__x86_64__)
int dca_has_avx2(void) { return 0; }

int64_t dca_quiet_run4(dca_curve_lanes4 *c, int64_t start, int64_t limit,
                       const double *floor_, const double *ceiling_, const double *quote_, const double *base_,
                       const double *lowest, const double *highest, const double *closes) {
    __builtin_trap();  // never called: dca_has_avx2() is 0
}
#else
int dca_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

__attribute__((target("avx2")))
int64_t dca_quiet_run4(dca_curve_lanes4 *c, int64_t start, int64_t limit,
                       const double *floor_, const double *ceiling_, const double *quote_, const double *base_,
                       const double *lowest, const double *highest, const double *closes) {
    const __m256d floor = _mm256_loadu_pd(floor_), ceiling = _mm256_loadu_pd(ceiling_);
    const __m256d quote = _mm256_loadu_pd(quote_), base = _mm256_loadu_pd(base_);
    const __m256d riskFree = _mm256_loadu_pd(c->riskFree), shift = _mm256_loadu_pd(c->shift);
    const __m256d one = _mm256_set1_pd(1.0), zero = _mm256_setzero_pd(), margin = _mm256_set1_pd(1.0 + 1e-9);
    __m256d previous = _mm256_loadu_pd(c->previous), sum = _mm256_loadu_pd(c->sum), downside = _mm256_loadu_pd(c->downside);
    __m256d shiftedSum = _mm256_loadu_pd(c->shiftedSum), shiftedSquares = _mm256_loadu_pd(c->shiftedSquares);
    __m256d peak = _mm256_loadu_pd(c->peak), threshold = _mm256_loadu_pd(c->threshold), worst = _mm256_loadu_pd(c->worst);
    int64_t bar = start;
    for (; bar < limit; bar++) {
        // QuietBars.pricesQuiet for the four lanes.
        __m256d quiet = _mm256_and_pd(_mm256_cmp_pd(floor, _mm256_set1_pd(lowest[bar]), _CMP_LT_OQ),
                                      _mm256_cmp_pd(ceiling, _mm256_set1_pd(highest[bar]), _CMP_GT_OQ));
        if (_mm256_movemask_pd(quiet) != 0xF) break;
        // EquityCurveLanes.add (EquityCurveAccumulator.add for each lane).
        __m256d value = _mm256_add_pd(quote, _mm256_mul_pd(base, _mm256_set1_pd(closes[bar])));
        __m256d x = _mm256_sub_pd(_mm256_sub_pd(_mm256_div_pd(value, previous), one), riskFree);
        previous = value;
        sum = _mm256_add_pd(sum, x);
        // min(x, 0) as `0 < x ? 0 : x`.
        __m256d loss = _mm256_blendv_pd(x, zero, _mm256_cmp_pd(x, zero, _CMP_GT_OQ));
        downside = _mm256_add_pd(downside, _mm256_mul_pd(loss, loss));
        __m256d shifted = _mm256_sub_pd(x, shift);
        shiftedSum = _mm256_add_pd(shiftedSum, shifted);
        shiftedSquares = _mm256_add_pd(shiftedSquares, _mm256_mul_pd(shifted, shifted));
        // DrawdownTracker.add.
        __m256d higher = _mm256_cmp_pd(value, peak, _CMP_GT_OQ);
        peak = _mm256_blendv_pd(peak, value, higher);
        threshold = _mm256_blendv_pd(threshold, _mm256_mul_pd(_mm256_mul_pd(peak, _mm256_sub_pd(one, worst)), margin), higher);
        __m256d deeper = _mm256_and_pd(_mm256_cmp_pd(value, threshold, _CMP_LT_OQ), _mm256_cmp_pd(peak, zero, _CMP_GT_OQ));
        int lanes = _mm256_movemask_pd(deeper);
        if (__builtin_expect(lanes != 0, 0)) {
            double v[4], p[4], w[4], t[4];
            _mm256_storeu_pd(v, value);
            _mm256_storeu_pd(p, peak);
            _mm256_storeu_pd(w, worst);
            _mm256_storeu_pd(t, threshold);
            for (int i = 0; i < 4; i++) {
                if (!(lanes & (1 << i))) continue;
                double drawdown = (p[i] - v[i]) / p[i];
                if (drawdown > w[i]) {
                    w[i] = 1 < drawdown ? 1 : drawdown;
                    double kept = p[i] * (1 - w[i]);
                    t[i] = kept * (1 + 1e-9);
                }
            }
            worst = _mm256_loadu_pd(w);
            threshold = _mm256_loadu_pd(t);
        }
    }
    _mm256_storeu_pd(c->previous, previous);
    _mm256_storeu_pd(c->sum, sum);
    _mm256_storeu_pd(c->downside, downside);
    _mm256_storeu_pd(c->shiftedSum, shiftedSum);
    _mm256_storeu_pd(c->shiftedSquares, shiftedSquares);
    _mm256_storeu_pd(c->peak, peak);
    _mm256_storeu_pd(c->threshold, threshold);
    _mm256_storeu_pd(c->worst, worst);
    return bar;
}
#endif
