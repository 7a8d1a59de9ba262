<?xml version="1.0" encoding="utf-8"?>
<!--
  rewrite-urls.xsl - an HTML page that reviews the URLs in a web.config: URL Rewrite rules
  (match pattern, conditions, action URL), redirect targets (customErrors, forms login) and
  appSettings values that are URLs or hold non-ASCII text.

  For each URL it shows the text as written, the same text percent-encoded as a URI
  (str:encode-uri with escape-reserved false) and as a query-string component (escape-reserved
  true), and whether str:decode-uri gives the text back. Links are written with the raw value in
  href, as an HTML serializer must escape them. A sample request, $probe, is decoded to show
  what the rules see.

  EXSLT: str:encode-uri (2 and 3 arguments), str:decode-uri, str:replace; function-available()
  leaves the encoded columns out where str:encode-uri is missing.
  Parameters: probe (an encoded request path), site (prefix for relative URLs).
  Inputs: any web.config.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:str="http://exslt.org/strings"
    exclude-result-prefixes="str">

  <xsl:output method="html" encoding="utf-8" indent="yes"/>

  <xsl:param name="probe" select="'/moduleservices/Z%C3%BCrich%20Nord/caf%C3%A9?q=a%26b&amp;x=%E2%98%95'"/>
  <xsl:param name="site" select="'https://www.contoso.example'"/>

  <xsl:variable name="can-encode" select="function-available('str:encode-uri') and function-available('str:decode-uri')"/>

  <xsl:variable name="rules" select="//*[local-name() = 'rewrite']/*[local-name() = 'rules']/*[local-name() = 'rule']"/>
  <xsl:variable name="redirects"
      select="//*[local-name() = 'customErrors']/@defaultRedirect | //*[local-name() = 'error']/@redirect
            | //*[local-name() = 'forms']/@loginUrl"/>
  <xsl:variable name="settings"
      select="//*[local-name() = 'appSettings']/*[local-name() = 'add']
                 [starts-with(@value, 'http') or translate(@value, ' abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:/-_', '') != '']"/>

  <xsl:template match="/">
    <html>
      <head>
        <title>URL review</title>
        <style>td { font-family: monospace; } .bad { color: #b00; }</style>
      </head>
      <body>
        <h1>URL review</h1>
        <p>
          <xsl:value-of select="concat(count($rules), ' rewrite rules, ', count($redirects),
                                       ' redirects, ', count($settings), ' settings')"/>
        </p>
        <xsl:if test="$rules">
          <h2>Rewrite rules</h2>
          <table>
            <tr><th>rule</th><th>match</th><th>action</th><th>URL</th><th>encoded</th></tr>
            <xsl:for-each select="$rules">
              <tr>
                <td><xsl:value-of select="@name"/></td>
                <td><xsl:value-of select="*[local-name() = 'match']/@url"/></td>
                <td>
                  <xsl:value-of select="*[local-name() = 'action']/@type"/>
                  <xsl:if test="*[local-name() = 'action']/@redirectType">
                    <xsl:value-of select="concat(' (', *[local-name() = 'action']/@redirectType, ')')"/>
                  </xsl:if>
                </td>
                <xsl:call-template name="url-cells">
                  <xsl:with-param name="url" select="*[local-name() = 'action']/@url"/>
                </xsl:call-template>
              </tr>
              <xsl:for-each select="*[local-name() = 'conditions']/*">
                <tr>
                  <td/>
                  <td colspan="2">
                    <xsl:value-of select="concat('if ', @input, ' matches ', @pattern)"/>
                  </td>
                  <td colspan="2">
                    <xsl:if test="$can-encode">
                      <xsl:value-of select="str:encode-uri(@pattern, true(), 'UTF-8')"/>
                    </xsl:if>
                  </td>
                </tr>
              </xsl:for-each>
            </xsl:for-each>
          </table>
        </xsl:if>
        <xsl:if test="$redirects | $settings">
          <h2>Redirects and settings</h2>
          <table>
            <tr><th>where</th><th>value</th><th>link</th><th>URI</th><th>component</th></tr>
            <xsl:for-each select="$redirects | $settings/@value">
              <tr>
                <td>
                  <xsl:value-of select="concat(name(..), '/@', name())"/>
                  <xsl:if test="../@key">
                    <xsl:value-of select="concat(' ', ../@key)"/>
                  </xsl:if>
                </td>
                <td><xsl:value-of select="."/></td>
                <td>
                  <xsl:variable name="href">
                    <xsl:choose>
                      <xsl:when test="starts-with(., 'http')"><xsl:value-of select="."/></xsl:when>
                      <xsl:otherwise>
                        <xsl:variable name="path" select="str:replace(str:replace(., '~/', '/'), ' ', '-')"/>
                        <xsl:value-of select="$site"/>
                        <xsl:if test="not(starts-with($path, '/'))">/</xsl:if>
                        <xsl:value-of select="$path"/>
                      </xsl:otherwise>
                    </xsl:choose>
                  </xsl:variable>
                  <a href="{$href}"><xsl:value-of select="$href"/></a>
                </td>
                <xsl:if test="$can-encode">
                  <td><xsl:value-of select="str:encode-uri(., false())"/></td>
                  <td><xsl:value-of select="str:encode-uri(., true())"/></td>
                </xsl:if>
              </tr>
            </xsl:for-each>
          </table>
        </xsl:if>
        <h2>Sample request</h2>
        <xsl:choose>
          <xsl:when test="$can-encode">
            <xsl:variable name="decoded" select="str:decode-uri($probe)"/>
            <p>
              <xsl:value-of select="concat($probe, ' is ', $decoded)"/>
            </p>
            <p>
              <xsl:text>re-encoded: </xsl:text>
              <xsl:value-of select="str:encode-uri($decoded, false())"/>
              <xsl:if test="str:encode-uri($decoded, false()) != $probe">
                <span class="bad"> (not the request as sent)</span>
              </xsl:if>
            </p>
            <xsl:for-each select="$rules[*[local-name() = 'match']/@url = '(.*)' or starts-with(substring-after($decoded, '/'), substring-before(substring-after(*[local-name() = 'match']/@url, '^'), '/'))]">
              <p><xsl:value-of select="concat('matched by rule ', @name)"/></p>
            </xsl:for-each>
          </xsl:when>
          <xsl:otherwise>
            <p>no EXSLT str:decode-uri</p>
          </xsl:otherwise>
        </xsl:choose>
      </body>
    </html>
  </xsl:template>

  <xsl:template name="url-cells">
    <xsl:param name="url"/>
    <td><xsl:value-of select="$url"/></td>
    <td>
      <xsl:if test="$can-encode">
        <xsl:variable name="encoded" select="str:encode-uri($url, false())"/>
        <xsl:value-of select="$encoded"/>
        <xsl:if test="str:decode-uri($encoded) != $url">
          <span class="bad"> does not decode back</span>
        </xsl:if>
      </xsl:if>
    </td>
  </xsl:template>

</xsl:stylesheet>
