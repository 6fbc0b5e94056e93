// The quiet-bar loop of a group of four bots stepped together (Sources/Backtesting/BatchReplay.swift),
// with AVX2 where the CPU has it: the same IEEE operations, in the same order, as the Swift
// loop it stands in for (EquityCurveLanes.add), so every bit of every result is the same.
#ifndef DCA_BATCH_KERNEL_H
#define DCA_BATCH_KERNEL_H

#include <stdint.h>

/// Four lanes' equity-curve statistics, one array of four per statistic (lane i at index i).
typedef struct {
    double previous[4], riskFree[4], sum[4], downside[4], shift[4];
    double shiftedSum[4], shiftedSquares[4], peak[4], threshold[4], worst[4];
} dca_curve_lanes4;

/// 1 when this CPU runs dca_quiet_run4 (it has AVX2), else 0.
int dca_has_avx2(void);

/// Adds the equity `quote[i] + base[i] * closes[bar]` of each lane to its curve for bars
/// `start`, `start + 1`, ... while the bar is quiet for all four lanes (`floor[i] < lowest[bar]`
/// and `highest[bar] < ceiling[i]`), up to `limit`; returns the first bar not added.
/// Precondition: dca_has_avx2(); no bar in [start, limit) is a run's first bar.
int64_t dca_quiet_run4(dca_curve_lanes4 *curve, int64_t start, int64_t limit,
                       const double *floor, const double *ceiling, const double *quote, const double *base,
                       const double *lowest, const double *highest, const double *closes);

#endif
