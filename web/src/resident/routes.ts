// The resident's account pages inside the portal (layouts/ResidentLayout.vue): signing in and
// up, and "my cases" — which need a resident's session: entering them asks the server who is
// signed in, and sends everyone else to sign in first and then back.
import type { RouteLocationNormalized, RouteRecordRaw } from 'vue-router'
import { useSession } from '@/stores/session'

/**
 * Where to go after signing in: `redirect` when it is a page of the portal (never the
 * workbench, another site or a protocol-relative address), else "my cases".
 */
export function afterSignIn(redirect: unknown): string {
  if (typeof redirect !== 'string' || !redirect.startsWith('/') || redirect.startsWith('//')) return '/my'
  if (redirect.startsWith('/staff') || redirect.startsWith('/account')) return '/my'
  return redirect
}

async function resident(to: RouteLocationNormalized) {
  const session = useSession()
  await session.restore()
  if (session.user?.role === 'resident') return true
  return { name: 'account-sign-in', query: { redirect: to.fullPath } }
}

export const residentAccountRoutes: RouteRecordRaw[] = [
  { path: 'account/sign-in', name: 'account-sign-in', component: () => import('@/pages/resident/AccountPage.vue'), props: { mode: 'sign-in' }, meta: { title: 'account.signInTitle' } },
  { path: 'account/sign-up', name: 'account-sign-up', component: () => import('@/pages/resident/AccountPage.vue'), props: { mode: 'sign-up' }, meta: { title: 'account.signUpTitle' } },
  { path: 'my', name: 'my-cases', component: () => import('@/pages/resident/MyCasesPage.vue'), beforeEnter: resident, meta: { title: 'my.title' } },
  { path: 'my/:number', name: 'my-case', component: () => import('@/pages/resident/MyCasePage.vue'), props: true, beforeEnter: resident, meta: { title: 'my.caseTitle' } },
]
