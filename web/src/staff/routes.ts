// The staff workbench's pages under /staff. Every page but sign-in needs a session: entering the
// workbench asks the server who is signed in, and sends everyone else to sign in first and then
// back to where they were going.
import type { RouteLocationNormalized, RouteRecordRaw } from 'vue-router'
import { catalogueSections, editsCatalogue } from '@/catalogue/admin'
import { letterKinds } from '@/staff/letters'
import { useSession } from '@/stores/session'

/** The guard of every page for signed-in staff: sign in first, then come back to `to`. */
export async function signedIn(to: RouteLocationNormalized) {
  const session = useSession()
  await session.restore()
  // A resident's session does not open the workbench: they sign in as staff first.
  if (session.user && session.user.role !== 'resident') return true
  return { name: 'staff-sign-in', query: { redirect: to.fullPath } }
}

/**
 * The guard of the catalogue pages: administrators only (the server refuses everyone else);
 * others land on their list of cases.
 */
export function adminOnly() {
  return editsCatalogue(useSession().user?.role) ? true : { name: 'staff-queue' }
}

/** Administrators do no casework (the server shows them no case): their start is the catalogue. */
export function casework() {
  return editsCatalogue(useSession().user?.role) ? { name: 'staff-catalogue' } : true
}

export const staffRoutes: RouteRecordRaw[] = [
  {
    path: '/staff/sign-in',
    name: 'staff-sign-in',
    component: () => import('@/pages/staff/SignInPage.vue'),
    meta: { title: 'staff.signIn.title' },
  },
  {
    // The reply letter at …/letter; a petition's notices at …/letter/accept and …/letter/decline.
    path: `/staff/cases/:number/letter/:kind(${letterKinds.filter((k) => k !== 'reply').join('|')})?`,
    name: 'staff-letter',
    component: () => import('@/pages/staff/CaseLetterPage.vue'),
    props: (r) => ({ number: String(r.params.number), kind: r.params.kind || 'reply' }),
    beforeEnter: signedIn,
    meta: { title: 'staff.letter.title' },
  },
  {
    path: '/staff',
    component: () => import('@/layouts/StaffLayout.vue'),
    beforeEnter: signedIn,
    children: [
      { path: '', name: 'staff-queue', component: () => import('@/pages/staff/QueuePage.vue'), beforeEnter: casework, meta: { title: 'staff.queue.title' } },
      { path: 'register', name: 'staff-register', component: () => import('@/pages/staff/RegisterPage.vue'), meta: { title: 'staff.register.title' } },
      { path: 'warnings', name: 'staff-warnings', component: () => import('@/pages/staff/WarningsPage.vue'), meta: { title: 'warnings.list.title' } },
      { path: 'warnings/:id(\\d+)', name: 'staff-warning', component: () => import('@/pages/staff/WarningPage.vue'), props: (r) => ({ id: Number(r.params.id) }), meta: { title: 'warnings.detail.title' } },
      {
        path: `catalogue/:section(${catalogueSections.join('|')})?`,
        name: 'staff-catalogue',
        component: () => import('@/pages/staff/CataloguePage.vue'),
        props: (r) => ({ section: r.params.section || 'categories' }),
        beforeEnter: adminOnly,
        meta: { title: 'catalogue.title' },
      },
      { path: 'cases/:number', name: 'staff-case', component: () => import('@/pages/staff/CasePage.vue'), props: true, meta: { title: 'staff.caseFile.title' } },
      { path: ':unknown(.*)*', name: 'staff-not-found', component: () => import('@/pages/staff/StaffNotFoundPage.vue'), meta: { title: 'notFound.title' } },
    ],
  },
]
