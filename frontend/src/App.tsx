import { useEffect, useRef, useState } from 'preact/hooks'
import { api } from './api/client'
import { onSessionChange, refresh, signOut, signOutEverywhere } from './api/session'
import { Loading, ProblemPage } from './components/ui'
import { load, useResource } from './lib/data'
import { type Who, WhoContext } from './lib/me'
import type { Problem } from './lib/problem'
import { match, navigate, onLinkClick, useLocation } from './lib/router'
import { SignIn } from './pages/SignIn'
import { Home } from './pages/Home'
import { Dashboard } from './pages/Dashboard'
import { Programme } from './pages/Programme'
import { Projects } from './pages/Projects'
import { Project } from './pages/Project'
import { Milestone } from './pages/Milestone'
import { GateReviewRequest, GateReview } from './pages/GateReviews'
import { RiskEdit, RiskForm } from './pages/RiskForm'
import { AssumptionEdit, AssumptionNew, DependencyEdit, DependencyNew, IssueEdit, IssueNew } from './pages/RaidForms'
import { AdminApiClients, AdminDirectorates, AdminNav, AdminRoles, AdminUsers } from './pages/Admin'
import { AdminIdentityProvider } from './pages/AdminIdentityProvider'
import { ApiClientPage, DirectorateDelete, DirectorateEdit, OrganisationSettings, UserDelete, UserEdit } from './pages/AdminUpkeep'
import { LifecycleNew, LifecyclePage, Lifecycles } from './pages/AdminLifecycles'
import { DrawdownPage, DrawdownRequest, Drawdowns } from './pages/Drawdowns'
import { DecisionSettings, ForwardPlan, ForwardPlanEntryPage, ForwardPlanNew, OfficerDecisionPage, OfficerDecisions } from './pages/Decisions'
import { FundingSourceEdit, FundingSourceNew, FundingSources } from './pages/FundingSources'
import { PortfolioFinance } from './pages/PortfolioFinance'
import { KpiList, KpiPage, KpiQueue } from './pages/Kpis'
import { KpiImport } from './pages/KpiImport'
import { RaidImport } from './pages/RaidImport'
import { KpiEdit, KpiNew, KpiTargets } from './pages/KpiEditing'
import { HighlightReportPage } from './pages/Highlights'
import { HeaderSearch, HistoryPage, RaidRegister, Roadmap, SearchPage } from './pages/Find'
import { AccountPage, MyWorkPage, NotificationsPage } from './pages/Work'
import { ChangePassword, InvitationPage } from './pages/Upkeep'
import { BenefitEdit, BenefitNew, BenefitProfile, CostLineEdit, CostLineNew } from './pages/MoneyForms'
import { ConfidencePage, MilestoneNew, ProgrammeDelete, ProgrammeEdit, ProgrammeNew, ProjectEdit, ProjectNew } from './pages/PortfolioForms'
import { DelegationRuleEdit, DelegationRuleNew, DelegationRulePage, DelegationRules } from './pages/DelegationRules'
import { GovernanceBodies, GovernanceBodyDelete, GovernanceBodyEdit, GovernanceBodyNew, GovernanceBodyPage, MeetingEdit, MeetingNew } from './pages/Bodies'
import { AdminWebhooks, WebhookEdit, WebhookNew, WebhookPage } from './pages/Webhooks'
import { PortfolioDelete, PortfolioEdit, PortfolioNew, Portfolios } from './pages/Portfolios'

const PRODUCT = 'Change portfolio'

type Route = [string, (params: Record<string, string>) => preact.JSX.Element, string?]

const ROUTES: Route[] = [
  ['/', () => <Home />],
  ['/work', () => <MyWorkPage />],
  ['/notifications', () => <NotificationsPage />],
  ['/account', () => <AccountPage />],
  ['/account/password', () => <ChangePassword />],
  ['/portfolio', () => <Dashboard />, 'portfolio:read'],
  ['/projects', () => <Projects />, 'portfolio:read'],
  ['/portfolios', () => <Portfolios />, 'portfolio:read'],
  ['/portfolios/new', () => <PortfolioNew />, 'portfolio:manage'],
  ['/portfolios/:id/edit', (p) => <PortfolioEdit id={p.id as string} />, 'portfolio:manage'],
  ['/portfolios/:id/delete', (p) => <PortfolioDelete id={p.id as string} />, 'portfolio:manage'],
  ['/governance-bodies', () => <GovernanceBodies />, 'portfolio:read'],
  ['/governance-bodies/new', () => <GovernanceBodyNew />, 'portfolio:manage'],
  ['/governance-bodies/:id', (p) => <GovernanceBodyPage id={p.id as string} />, 'portfolio:read'],
  ['/governance-bodies/:id/edit', (p) => <GovernanceBodyEdit id={p.id as string} />, 'portfolio:manage'],
  ['/governance-bodies/:id/delete', (p) => <GovernanceBodyDelete id={p.id as string} />, 'portfolio:manage'],
  ['/governance-bodies/:id/meetings/new', (p) => <MeetingNew bodyId={p.id as string} />, 'meetings:manage'],
  ['/meetings/:id/edit', (p) => <MeetingEdit id={p.id as string} />, 'meetings:manage'],
  ['/programmes/new', () => <ProgrammeNew />, 'portfolio:manage'],
  ['/programmes/:id', (p) => <Programme id={p.id as string} />, 'portfolio:read'],
  ['/programmes/:id/edit', (p) => <ProgrammeEdit id={p.id as string} />, 'portfolio:manage'],
  ['/programmes/:id/delete', (p) => <ProgrammeDelete id={p.id as string} />, 'portfolio:manage'],
  ['/programmes/:id/projects/new', (p) => <ProjectNew programmeId={p.id as string} />, 'projects:edit'],
  ['/projects/:id/edit', (p) => <ProjectEdit id={p.id as string} />, 'projects:edit'],
  ['/projects/:id/confidence', (p) => <ConfidencePage projectId={p.id as string} />, 'portfolio:read'],
  ['/projects/:id/milestones/new', (p) => <MilestoneNew projectId={p.id as string} />, 'projects:edit'],
  ['/delegation-rules', () => <DelegationRules />, 'finance:read'],
  ['/delegation-rules/new', () => <DelegationRuleNew />, 'delegation_rules:manage'],
  ['/delegation-rules/:id', (p) => <DelegationRulePage id={p.id as string} />, 'finance:read'],
  ['/delegation-rules/:id/edit', (p) => <DelegationRuleEdit id={p.id as string} />, 'delegation_rules:manage'],
  ['/programmes/:id/roadmap', (p) => <Roadmap id={p.id as string} />, 'portfolio:read'],
  ['/search', () => <SearchPage />],
  ['/raid-register', () => <RaidRegister />, 'raid:read'],
  ['/history/:kind/:id', (p) => <HistoryPage kind={p.kind as string} id={p.id as string} />],
  ['/projects/:id', (p) => <Project id={p.id as string} />, 'portfolio:read'],
  ['/milestones/:id', (p) => <Milestone id={p.id as string} />, 'portfolio:read'],
  ['/projects/:id/gate-reviews/new', (p) => <GateReviewRequest projectId={p.id as string} />, 'gate_reviews:request'],
  ['/projects/:id/risks/new', (p) => <RiskForm projectId={p.id as string} />, 'raid:edit'],
  ['/risks/:id/edit', (p) => <RiskEdit id={p.id as string} />, 'raid:edit'],
  ['/projects/:id/issues/new', (p) => <IssueNew projectId={p.id as string} />, 'raid:edit'],
  ['/issues/:id/edit', (p) => <IssueEdit id={p.id as string} />, 'raid:edit'],
  ['/projects/:id/assumptions/new', (p) => <AssumptionNew projectId={p.id as string} />, 'raid:edit'],
  ['/assumptions/:id/edit', (p) => <AssumptionEdit id={p.id as string} />, 'raid:edit'],
  ['/projects/:id/dependencies/new', (p) => <DependencyNew projectId={p.id as string} />, 'raid:edit'],
  ['/dependencies/:id/edit', (p) => <DependencyEdit id={p.id as string} />, 'raid:edit'],
  ['/gate-reviews/:id', (p) => <GateReview id={p.id as string} />, 'portfolio:read'],
  ['/highlight-reports/:id', (p) => <HighlightReportPage id={p.id as string} />, 'highlight_reports:read'],
  ['/portfolio/finance', () => <PortfolioFinance />, 'finance:read'],
  ['/drawdowns', () => <Drawdowns />, 'finance:read'],
  ['/drawdowns/new', () => <DrawdownRequest />, 'drawdowns:request'],
  ['/drawdowns/:id', (p) => <DrawdownPage id={p.id as string} />, 'finance:read'],
  ['/officer-decisions', () => <OfficerDecisions />, 'finance:read'],
  ['/officer-decisions/:id', (p) => <OfficerDecisionPage id={p.id as string} />, 'finance:read'],
  ['/forward-plan', () => <ForwardPlan />, 'finance:read'],
  ['/forward-plan/new', () => <ForwardPlanNew />, 'committee_decisions:record'],
  ['/forward-plan/:id', (p) => <ForwardPlanEntryPage id={p.id as string} />, 'finance:read'],
  ['/admin/decisions', () => <DecisionSettings />, 'organisation:read'],
  ['/projects/:id/cost-lines/new', (p) => <CostLineNew projectId={p.id as string} />, 'costs_benefits:edit'],
  ['/cost-lines/:id/edit', (p) => <CostLineEdit id={p.id as string} />, 'costs_benefits:edit'],
  ['/projects/:id/benefits/new', (p) => <BenefitNew projectId={p.id as string} />, 'costs_benefits:edit'],
  ['/benefits/:id/edit', (p) => <BenefitEdit id={p.id as string} />, 'costs_benefits:edit'],
  ['/benefits/:id/profile', (p) => <BenefitProfile id={p.id as string} />, 'costs_benefits:edit'],
  ['/funding-sources', () => <FundingSources />, 'finance:read'],
  ['/funding-sources/new', () => <FundingSourceNew />, 'funding_sources:manage'],
  ['/funding-sources/:id/edit', (p) => <FundingSourceEdit id={p.id as string} />, 'funding_sources:manage'],
  ['/kpis', () => <KpiList />, 'kpis:read'],
  ['/kpis/new', () => <KpiNew />, 'kpis:manage'],
  ['/kpis/:id', (p) => <KpiPage id={p.id as string} />, 'kpis:read'],
  ['/kpis/:id/edit', (p) => <KpiEdit id={p.id as string} />, 'kpis:manage'],
  ['/kpis/:id/targets', (p) => <KpiTargets id={p.id as string} />, 'kpis:manage'],
  ['/kpi-values', () => <KpiQueue />, 'kpi_values:verify'],
  ['/kpi-imports', () => <KpiImport />, 'kpis:manage'],
  ['/raid-imports', () => <RaidImport />, 'raid:edit'],
  ['/admin/users', () => <AdminUsers />, 'users:read'],
  ['/admin/roles', () => <AdminRoles />, 'roles:read'],
  ['/admin/directorates', () => <AdminDirectorates />, 'directorates:read'],
  ['/admin/api-clients', () => <AdminApiClients />, 'api_clients:manage'],
  ['/admin/webhooks', () => <AdminWebhooks />, 'webhooks:manage'],
  ['/admin/webhooks/new', () => <WebhookNew />, 'webhooks:manage'],
  ['/admin/webhooks/:id', (p) => <WebhookPage id={p.id as string} />, 'webhooks:manage'],
  ['/admin/webhooks/:id/edit', (p) => <WebhookEdit id={p.id as string} />, 'webhooks:manage'],
  ['/admin/identity-provider', () => <AdminIdentityProvider nav={<AdminNav />} />, 'organisation:manage'],
  ['/admin/organisation', () => <OrganisationSettings />, 'organisation:manage'],
  ['/admin/directorates/:id/edit', (p) => <DirectorateEdit id={p.id as string} />, 'directorates:manage'],
  ['/admin/directorates/:id/delete', (p) => <DirectorateDelete id={p.id as string} />, 'directorates:manage'],
  ['/admin/users/:id/edit', (p) => <UserEdit id={p.id as string} />, 'users:manage'],
  ['/admin/users/:id/delete', (p) => <UserDelete id={p.id as string} />, 'users:manage'],
  ['/admin/api-clients/:id', (p) => <ApiClientPage id={p.id as string} />, 'api_clients:manage'],
  ['/admin/lifecycles', () => <Lifecycles />, 'portfolio:read'],
  ['/admin/lifecycles/new', () => <LifecycleNew />, 'lifecycles:manage'],
  ['/admin/lifecycles/:id', (p) => <LifecyclePage id={p.id as string} />, 'portfolio:read'],
]

const NAVIGATION: [string, string, string?][] = [
  ['/', 'My work'],
  ['/portfolio', 'Portfolio', 'portfolio:read'],
  ['/projects', 'Projects', 'portfolio:read'],
  ['/raid-register', 'RAID register', 'raid:read'],
  ['/kpis', 'KPIs', 'kpis:read'],
  ['/drawdowns', 'Draw-downs', 'finance:read'],
  ['/funding-sources', 'Funding sources', 'finance:read'],
  ['/forward-plan', 'Forward plan', 'finance:read'],
  ['/officer-decisions', 'Decisions', 'finance:read'],
  ['/admin/users', 'Administration', 'admin'],
]

async function loadWho(): Promise<{ who?: Who; problem?: Problem }> {
  const [me, organisation] = await Promise.all([load(() => api.GET('/api/v1/me')), load(() => api.GET('/api/v1/organisation'))])
  if (me.problem) return { problem: me.problem }
  if (organisation.problem) return { problem: organisation.problem }
  return { who: { me: me.data, organisation: organisation.data } }
}

export function App() {
  const { path, search } = useLocation()
  const [state, setState] = useState<'starting' | 'signed-out' | 'signed-in'>('starting')
  const [who, setWho] = useState<Who | null>(null)
  const [problem, setProblem] = useState<Problem | null>(null)
  const [organisationName, setOrganisationName] = useState<string | null>(null)

  const start = async () => {
    const result = await loadWho()
    if (result.who) {
      setWho(result.who)
      setOrganisationName(result.who.organisation.name)
      setProblem(null)
      setState('signed-in')
    } else {
      setProblem(result.problem ?? null)
      setState(result.problem?.status === 401 ? 'signed-out' : 'signed-in')
    }
  }

  useEffect(() => {
    // A reload keeps the session: the cookie gives a new access token.
    refresh().then((ok) => (ok ? start() : setState('signed-out')))
    return onSessionChange((signedIn) => {
      if (!signedIn) {
        setWho(null)
        setState('signed-out')
      }
    })
  }, [])

  useEffect(() => {
    // A page that changed the organisation (its name, its scales) or the person asks for them again.
    const again = () => {
      void loadWho().then((result) => {
        if (!result.who) return
        setWho(result.who)
        setOrganisationName(result.who.organisation.name)
      })
    }
    window.addEventListener('pmo:who-changed', again)
    return () => window.removeEventListener('pmo:who-changed', again)
  }, [])

  useEffect(() => {
    document.addEventListener('click', onLinkClick)
    return () => document.removeEventListener('click', onLinkClick)
  }, [])

  let page: preact.JSX.Element
  let title = 'Sign in'
  const invitation = match('/invitations/:token', path)
  // An invitee has no account to sign in with yet: their link's page opens before sign-in.
  if (invitation) page = <InvitationPage token={invitation.token as string} />
  else if (state === 'starting') page = <Loading />
  else if (state === 'signed-out' || !who) {
    page = problem && state === 'signed-in' ? <ProblemPage problem={problem} onRetry={start} /> : <SignIn onSignedIn={start} />
  } else {
    const found = ROUTES.map(([pattern, render, permission]) => ({ params: match(pattern, path), render, permission })).find(
      (route) => route.params,
    )
    if (!found || !found.params) {
      page = <ProblemPage problem={{ title: 'Not found', status: 404, detail: 'There is no page at this address.' }} />
      title = 'Page not found'
    } else if (path.startsWith('/admin/') && !who.me.roles.some((grant) => grant.role === 'admin')) {
      // Administration is for administrators alone, whatever a role may read through the API.
      page = <ProblemPage problem={{ title: 'Not allowed', status: 403, detail: 'These pages are for administrators: ask one to make the change.' }} />
      title = 'Not allowed'
    } else if (found.permission && !who.me.permissions.includes(found.permission)) {
      page = (
        <ProblemPage
          problem={{ title: 'Not allowed', status: 403, detail: `This page needs the permission '${found.permission}', which your roles do not give.` }}
        />
      )
      title = 'Not allowed'
    } else {
      page = found.render(found.params)
      title = ''
    }
  }
  // The page title follows the page's own heading (WCAG 2.4.2), even once its data arrives.
  useEffect(() => {
    const main = document.getElementById('main-content')
    if (!main) return
    const update = () => {
      const heading = main.querySelector('h1')?.textContent?.trim() || title || PRODUCT
      document.title = `${heading} – ${PRODUCT}${organisationName ? ` – ${organisationName}` : ''}`
    }
    update()
    const observer = new MutationObserver(update)
    observer.observe(main, { childList: true, subtree: true, characterData: true })
    return () => observer.disconnect()
  }, [title, path, search, state, organisationName])

  // After moving to another page, focus goes to its content, as after a page load a screen
  // reader starts there (and the skip link is next in the tab order).
  const first = useRef(true)
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    document.getElementById('main-content')?.focus({ preventScroll: true })
  }, [path, search])

  const signedIn = state === 'signed-in' && who
  const isAdmin = !!who?.me.roles.some((grant) => grant.role === 'admin')
  return (
    <WhoContext.Provider value={who}>
      <a href="#main-content" class="govuk-skip-link" onClick={(event) => {
        event.preventDefault()
        document.getElementById('main-content')?.focus()
      }}>
        Skip to main content
      </a>
      <header class="app-header" role="banner">
        <div class="govuk-width-container app-width-container">
          <span class="app-header__organisation">{organisationName ?? 'Council'}</span>
          <span class="app-header__product">{PRODUCT}</span>
          {signedIn && <HeaderSearch />}
          {signedIn && (
            <div class="app-header__account app-no-print">
              <a class="govuk-link app-header__link" href="/account">
                {who.me.display_name}
              </a>
              <UnreadLink path={path} />
              <button type="button" class="app-link-button" onClick={() => signOut().then((providerSignOut) => (providerSignOut ? window.location.assign(providerSignOut) : navigate('/')))}>
                Sign out
              </button>
              <button
                type="button"
                class="app-link-button"
                onClick={() => signOutEverywhere().then(() => navigate('/'))}
              >
                Sign out everywhere
              </button>
            </div>
          )}
        </div>
      </header>
      {signedIn && (
        <section aria-label="Service navigation" class="govuk-service-navigation app-no-print">
          <div class="govuk-width-container app-width-container">
            <div class="govuk-service-navigation__container">
              <nav aria-label="Menu" class="govuk-service-navigation__wrapper">
                <ul class="govuk-service-navigation__list">
                  {NAVIGATION.filter(([, , need]) => !need || (need === 'admin' ? isAdmin : who.me.permissions.includes(need))).map(
                    ([href, label]) => {
                      const active = href === '/' ? path === '/' : path.startsWith(href === '/admin/users' ? '/admin' : href)
                      return (
                        <li class={`govuk-service-navigation__item${active ? ' govuk-service-navigation__item--active' : ''}`} key={href}>
                          <a class="govuk-service-navigation__link" href={href} aria-current={active ? 'page' : undefined}>
                            {active ? <strong class="govuk-service-navigation__active-fallback">{label}</strong> : label}
                          </a>
                        </li>
                      )
                    },
                  )}
                </ul>
              </nav>
            </div>
          </div>
        </section>
      )}
      <div class="govuk-width-container app-width-container">
        <main class="govuk-main-wrapper" id="main-content" tabIndex={-1} key={path + search}>
          {page}
        </main>
      </div>
      <footer class="govuk-width-container app-width-container govuk-!-padding-top-4 govuk-!-padding-bottom-6 app-no-print" role="contentinfo">
        <p class="govuk-body-s">
          {organisationName ? `${organisationName}: ` : ''}
          {PRODUCT}. <a class="govuk-link" href="/api/v1/docs">API documentation</a>
        </p>
      </footer>
    </WhoContext.Provider>
  )
}

/** The header's link to the notifications, with the unread count (read again on each page). */
function UnreadLink({ path }: { path: string }) {
  const unread = useResource(`unread-${path}`, () => load(() => api.GET('/api/v1/me/notifications/unread-count')))
  const count = unread.data?.unread ?? 0
  return (
    <a class="govuk-link app-header__link" href="/notifications" data-testid="unread-notifications">
      Notifications{count > 0 ? ` (${count} unread)` : ''}
    </a>
  )
}
