// Progressive enhancements on top of GOV.UK Frontend. Every page works without this file.

// Timeout warning (GOV.UK pattern): warn before the idle timeout deletes the answers, and let
// the person carry on. Without JavaScript the page states the timeout in words.
function initTimeoutWarning (dialog) {
  const idleMs = Number(dialog.dataset.idleMinutes) * 60 * 1000
  const warnMs = Math.max(idleMs - 2 * 60 * 1000, idleMs / 2)
  const keepAliveUrl = dialog.dataset.keepAliveUrl
  const expiredUrl = dialog.dataset.expiredUrl
  const countdown = dialog.querySelector('[data-countdown]')
  let warnTimer, expireTimer, tick

  function schedule () {
    clearTimeout(warnTimer); clearTimeout(expireTimer); clearInterval(tick)
    warnTimer = setTimeout(warn, warnMs)
    expireTimer = setTimeout(() => { window.location.assign(expiredUrl) }, idleMs)
  }

  function warn () {
    const endsAt = Date.now() + (idleMs - warnMs)
    const update = () => {
      const seconds = Math.max(0, Math.round((endsAt - Date.now()) / 1000))
      const minutes = Math.floor(seconds / 60)
      countdown.textContent = minutes >= 1
        ? `${minutes} minute${minutes === 1 ? '' : 's'}${seconds % 60 ? ` ${seconds % 60} seconds` : ''}`
        : `${seconds} seconds`
    }
    update()
    tick = setInterval(update, 15000)
    dialog.showModal()
  }

  async function carryOn () {
    const token = document.querySelector('input[name="csrf_token"]')
    try {
      await fetch(keepAliveUrl, {
        method: 'POST',
        headers: { 'X-CSRFToken': token ? token.value : '' },
        credentials: 'same-origin'
      })
    } finally {
      dialog.close()
      schedule()
    }
  }

  dialog.querySelector('[data-continue]').addEventListener('click', carryOn)
  dialog.addEventListener('cancel', (event) => { event.preventDefault(); carryOn() })
  schedule()
}

// Upload progress: send the chosen files with XMLHttpRequest so the person sees how far it has got.
function initUploadProgress (form) {
  const status = form.querySelector('[data-upload-status]')
  form.addEventListener('submit', (event) => {
    const button = event.submitter
    const input = form.querySelector('input[type="file"]')
    if (!button || button.value !== 'upload' || !input || !input.files.length) return
    event.preventDefault()
    const data = new FormData(form)
    data.set('action', 'upload')
    // Not form.action: the form has a button named "action", which that property returns.
    const url = form.getAttribute('action') || window.location.href
    const request = new XMLHttpRequest()
    request.open('POST', url)
    request.upload.addEventListener('progress', (progress) => {
      if (progress.lengthComputable) {
        status.hidden = false
        const percent = Math.round((progress.loaded / progress.total) * 100)
        status.querySelector('progress').value = percent
        status.querySelector('[data-percent]').textContent = `${percent}%`
      }
    })
    request.addEventListener('load', () => {
      const page = new DOMParser().parseFromString(request.responseText, 'text/html')
      const main = page.querySelector('main')
      if (!main) { form.submit(); return }
      // Accepted: the server redirected back to the question, which lists the file. Load it as a visit.
      if (request.status === 200 && !main.querySelector('.govuk-error-summary')) {
        window.location.replace(request.responseURL || url)
        return
      }
      // Not accepted: show the error (or the error page) in place, keeping this page's timeout warning.
      const timeoutWarning = document.querySelector('main dialog[data-module="app-timeout-warning"]')
      const itsCopy = main.querySelector('dialog[data-module="app-timeout-warning"]')
      if (timeoutWarning && itsCopy) itsCopy.replaceWith(timeoutWarning)
      document.title = page.title
      document.querySelector('main').replaceWith(main)
      const summary = main.querySelector('.govuk-error-summary')
      if (summary) { summary.setAttribute('tabindex', '-1'); summary.focus() }
      initGovukFrontend(main)
      const newForm = main.querySelector('form[data-module="app-upload-progress"]')
      if (newForm) initUploadProgress(newForm)
    })
    request.addEventListener('error', () => { status.hidden = true; form.submit() })
    status.hidden = false
    button.disabled = true
    request.send(data)
  })
}

// Before you ask: while a request is typed, the published responses most like it, in a live region under the
// field. "related-checked" tells the server they were on show for this very text, so it skips the page of them.
function initRelatedSearch (container) {
  const field = document.getElementById(container.dataset.field)
  const results = container.querySelector('[data-related-results]')
  const checked = container.querySelector('[data-related-checked]')
  const token = container.closest('form').querySelector('input[name="csrf_token"]')
  let timer, pending
  let shownFor = null

  function element (tag, className, text) {
    const made = document.createElement(tag)
    if (className) made.className = className
    if (text) made.textContent = text
    return made
  }

  function show (found) {
    if (!found.length) { results.replaceChildren(); return }
    const list = element('ul', 'govuk-list govuk-list--spaced')
    for (const item of found) {
      const link = element('a', 'govuk-link', `${item.title} (opens in new tab)`)
      link.href = item.url
      link.target = '_blank'
      link.rel = 'noopener noreferrer'
      const entry = element('li')
      entry.append(link, element('span', 'govuk-body-s app-published-responses__meta',
        `${item.reference}, published ${item.published}`))
      list.append(entry)
    }
    results.replaceChildren(
      element('h2', 'govuk-heading-s', 'These published responses might answer your question'), list)
  }

  async function search () {
    const text = field.value.trim().replace(/\s+/g, ' ')
    if (text === shownFor) { checked.value = '1'; return }
    if (text.split(' ').length < 3) { shownFor = null; results.replaceChildren(); return }
    if (pending) pending.abort()
    pending = new AbortController()
    try {
      const response = await fetch(container.dataset.url, {
        method: 'POST',
        body: new URLSearchParams({ csrf_token: token ? token.value : '', text }),
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        signal: pending.signal
      })
      if (!response.ok) return
      const { results: found } = await response.json()
      if (field.value.trim().replace(/\s+/g, ' ') !== text) return // typed on meanwhile
      show(found)
      shownFor = text
      checked.value = '1'
    } catch (error) {
      // Aborted, offline or rate limited: the page after the question shows them instead.
    }
  }

  field.addEventListener('input', () => {
    checked.value = ''
    clearTimeout(timer)
    timer = setTimeout(search, 400)
  })
}

// The Disclosure Log's filters behind a "Filter" button on a small screen (GOV.UK's filter pattern), so the results
// come first. The button is in the page, hidden: without JavaScript, and on a wider screen, the filters just show.
function initFilterToggle (button) {
  const panel = document.getElementById(button.getAttribute('aria-controls'))
  if (!panel) return
  const wide = window.matchMedia('(min-width: 40.0625em)') // GOV.UK Frontend's tablet breakpoint
  // A filter with an error (a date that is not real) stays in view, for the error summary's link to reach it.
  let open = Boolean(panel.querySelector('.govuk-form-group--error'))

  function update () {
    const hidden = !wide.matches && !open
    button.hidden = wide.matches
    button.setAttribute('aria-expanded', String(!hidden))
    panel.hidden = hidden
  }

  button.addEventListener('click', () => { open = !open; update() })
  wide.addEventListener('change', update)
  update()
}

// GOV.UK Frontend's components (the error summary's links to fields, buttons) in content put on the page.
async function initGovukFrontend (scope) {
  const script = document.querySelector('script[type="module"][src*="govuk-frontend"]')
  if (!script) return
  const { initAll } = await import(script.src)
  initAll(scope)
}

document.querySelectorAll('dialog[data-module="app-timeout-warning"]').forEach(initTimeoutWarning)
document.querySelectorAll('form[data-module="app-upload-progress"]').forEach(initUploadProgress)
document.querySelectorAll('[data-module="app-related-search"]').forEach(initRelatedSearch)
document.querySelectorAll('button[data-module="app-filter-toggle"]').forEach(initFilterToggle)
