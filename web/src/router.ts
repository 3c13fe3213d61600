// The app's pages. The resident portal (phone first, Vant) lives at the root, the staff
// workbench (desk, Element Plus; src/staff/routes.ts) under /staff, and the leader dashboard
// (ECharts; src/dashboard/routes.ts) under /dashboard; each has its own layout, loaded only when
// first visited.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { dashboardRoutes } from '@/dashboard/routes'
import { residentAccountRoutes } from '@/resident/routes'
import { staffRoutes } from '@/staff/routes'

export const routes: RouteRecordRaw[] = [
  ...staffRoutes,
  ...dashboardRoutes,
  {
    path: '/',
    component: () => import('@/layouts/ResidentLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('@/pages/resident/HomePage.vue'), meta: { title: 'nav.home' } },
      { path: 'submit', name: 'submit', component: () => import('@/pages/resident/SubmitPage.vue'), meta: { title: 'submit.title' } },
      { path: 'track', name: 'track-lookup', component: () => import('@/pages/resident/TrackPage.vue'), meta: { title: 'track.title' } },
      { path: 'track/:code', name: 'track', component: () => import('@/pages/resident/TrackPage.vue'), props: true, meta: { title: 'track.title' } },
      ...residentAccountRoutes,
      { path: ':unknown(.*)*', name: 'not-found', component: () => import('@/pages/NotFoundPage.vue'), meta: { title: 'notFound.title' } },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})
