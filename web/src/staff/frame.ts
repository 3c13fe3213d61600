// What the frames of the staff's pages (the workbench's and the dashboard's layouts) share: a
// call that finds the session ended (401) brings the user to sign in and then back to the page;
// the user's role in the UI's language; signing out; switching the language.
import { ElMessage } from 'element-plus'
import { computed, onUnmounted } from 'vue'
import { useI18n } from 'vue-i18n'
import { useRoute, useRouter } from 'vue-router'
import { whenSessionEnds } from '@/api'
import { setLanguage } from '@/i18n'
import { useSession } from '@/stores/session'

export function useStaffFrame() {
  const { t, te, locale } = useI18n()
  const route = useRoute()
  const router = useRouter()
  const session = useSession()

  whenSessionEnds(() => {
    if (!session.user) return
    session.forget()
    ElMessage.warning(t('staff.signIn.expired'))
    void router.push({ name: 'staff-sign-in', query: { redirect: route.fullPath, expired: '1' } })
  })
  onUnmounted(() => whenSessionEnds(null))

  const roleName = computed(() => {
    const u = session.user
    if (!u) return ''
    return te(`staff.role.${u.role}`) ? t(`staff.role.${u.role}`) : u.role_zh
  })

  /** Ends the session and shows the sign-in page, which leads to redirect (if given) next. */
  async function signOut(redirect?: string) {
    const failed = await session.signOut()
    if (failed) ElMessage.error(failed.message)
    else ElMessage.success(t('staff.nav.signedOut'))
    await router.push({ name: 'staff-sign-in', query: redirect ? { redirect } : {} })
  }

  const toggleLanguage = () => setLanguage(locale.value === 'en' ? 'zh-CN' : 'en')

  return { session, roleName, signOut, toggleLanguage }
}
