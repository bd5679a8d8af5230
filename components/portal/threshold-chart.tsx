import type { ChartData } from "@/lib/metrics/chart";

const W = 720;
const H = 220;
const PAD = { l: 56, r: 12, t: 12, b: 28 };
const time = (d: Date) => d.toISOString().slice(11, 16) + " UTC";
const num = (v: number) => String(Math.round(v * 100) / 100);

/**
 * The rule's metric over the last 24 hours, drawn on the server as SVG (no client code): the
 * value line, the threshold (red, dashed) and reset (amber, dotted) lines, and shading where the
 * rule was, or would have been, firing. A text summary and a table are the text alternative.
 */
export function ThresholdChart({
  data,
  metric,
  threshold,
  resetThreshold,
  id = "threshold-chart",
  what = "",
}: {
  data: ChartData;
  metric: string;
  threshold: number;
  resetThreshold: number | null;
  /** Tells two charts on one page apart (their summaries' ids and test ids). */
  id?: string;
  /** Words before the summary, e.g. "Preview: ". */
  what?: string;
}) {
  const values = data.points.flatMap((p) => (p.value === null ? [] : [p.value]));
  const refs = [threshold, ...(resetThreshold === null ? [] : [resetThreshold])];
  const all = [...values, ...refs];
  let min = Math.min(...all);
  let max = Math.max(...all);
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const span = max - min;
  min -= span * 0.08;
  max += span * 0.08;
  const t0 = data.from.getTime();
  const t1 = data.to.getTime();
  const x = (d: Date) => PAD.l + ((d.getTime() - t0) / (t1 - t0)) * (W - PAD.l - PAD.r);
  const y = (v: number) => PAD.t + (1 - (v - min) / (max - min)) * (H - PAD.t - PAD.b);
  // A step line (each value holds until the next), broken where there is no value.
  let path = "";
  let prev: { x: number; y: number } | null = null;
  for (const p of data.points) {
    if (p.value === null) {
      prev = null;
      continue;
    }
    const px = x(p.at);
    const py = y(p.value);
    path += prev
      ? ` L${px.toFixed(1)},${prev.y.toFixed(1)} L${px.toFixed(1)},${py.toFixed(1)}`
      : ` M${px.toFixed(1)},${py.toFixed(1)}`;
    prev = { x: px, y: py };
  }
  const last = [...data.points].reverse().find((p) => p.value !== null);
  if (prev && last) path += ` L${x(data.to).toFixed(1)},${prev.y.toFixed(1)}`;
  const summary =
    what +
    (values.length === 0
      ? `No ${metric} values in the last 24 hours.`
      : `${metric} over the last 24 hours: ${values.length} values from ${num(Math.min(...values))} to ${num(Math.max(...values))}, latest ${num(last!.value!)}. Threshold ${num(threshold)}${resetThreshold === null ? "" : `, reset ${num(resetThreshold)}`}. ` +
        (data.firing.length === 0
          ? "Not firing at any time."
          : `Firing ${data.firing.map((f) => `from ${time(f.from)} to ${time(f.to)}`).join(", ")}.`));
  return (
    <figure className="space-y-2" aria-labelledby={`${id}-summary`}>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="w-full max-w-3xl rounded border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-950"
        role="img"
        aria-labelledby={`${id}-summary`}
        data-testid={id}
      >
        {data.firing.map((f, i) => (
          <rect
            key={i}
            data-testid="firing-span"
            x={x(f.from)}
            y={PAD.t}
            width={Math.max(2, x(f.to) - x(f.from))}
            height={H - PAD.t - PAD.b}
            className="fill-red-500/20"
          />
        ))}
        <line
          x1={PAD.l}
          x2={W - PAD.r}
          y1={y(threshold)}
          y2={y(threshold)}
          className="stroke-red-600"
          strokeDasharray="6 4"
        />
        <text
          x={W - PAD.r}
          y={y(threshold) - 4}
          textAnchor="end"
          className="fill-red-700 text-[10px]"
        >
          threshold {num(threshold)}
        </text>
        {resetThreshold !== null && (
          <>
            <line
              x1={PAD.l}
              x2={W - PAD.r}
              y1={y(resetThreshold)}
              y2={y(resetThreshold)}
              className="stroke-amber-500"
              strokeDasharray="2 3"
            />
            <text
              x={W - PAD.r}
              y={y(resetThreshold) - 4}
              textAnchor="end"
              className="fill-amber-700 text-[10px]"
            >
              reset {num(resetThreshold)}
            </text>
          </>
        )}
        <path d={path} fill="none" className="stroke-sky-700 dark:stroke-sky-400" strokeWidth={2} />
        <text x={PAD.l - 6} y={y(max) + 10} textAnchor="end" className="fill-slate-500 text-[10px]">
          {num(max)}
        </text>
        <text x={PAD.l - 6} y={y(min)} textAnchor="end" className="fill-slate-500 text-[10px]">
          {num(min)}
        </text>
        <text x={PAD.l} y={H - 8} className="fill-slate-500 text-[10px]">
          {time(data.from)}
        </text>
        <text x={W - PAD.r} y={H - 8} textAnchor="end" className="fill-slate-500 text-[10px]">
          {time(data.to)}
        </text>
      </svg>
      <figcaption id={`${id}-summary`} className="text-sm text-slate-600 dark:text-slate-400">
        {summary}
      </figcaption>
    </figure>
  );
}
