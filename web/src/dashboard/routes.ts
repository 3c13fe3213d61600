// The leader's dashboard under /dashboard: for signed-in staff (the server decides which roles
// may read the figures and for which areas). Its layout, page and ECharts load only when first
// visited. The area, period, kind and interval live in the address (?area=&from=&to=&kind=
// &interval=), so a screen can be bookmarked and the back button climbs out of a drill-down.
import type { RouteRecordRaw } from 'vue-router'
import { signedIn } from '@/staff/routes'

export const dashboardRoutes: RouteRecordRaw[] = [
  {
    path: '/dashboard',
    component: () => import('@/layouts/DashboardLayout.vue'),
    beforeEnter: signedIn,
    children: [
      { path: '', name: 'dashboard', component: () => import('@/pages/dashboard/DashboardPage.vue'), meta: { title: 'dashboard.title' } },
    ],
  },
]
