// ECharts, only the parts the dashboard draws with: bar and line charts on a grid, with axis
// tooltips and a legend, painted on canvas. Imported by the dashboard's pages alone, so the rest
// of the app never loads it.
import { BarChart, LineChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { init, use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

export { init }
export type { ECharts } from 'echarts/core'
